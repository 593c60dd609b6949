"""Runs: the bottom layer every computation stands on (issue 11).

`runs.blocks` is the one presentation shape of a computation's result (planning, funding and every
later module); the run store and the registry of run kinds live here too. This package imports only
`census`, `policy` and `errors`: the computations import it, never the other way round."""
