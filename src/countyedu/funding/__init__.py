"""Funding and budget (issue 6): per-pupil funds, budget plan, compliance, scenarios, after-school ledger (第5、17、20–23、30、34条)."""
