"""The demo county is the same, value for value, for the same seed: each sheet's columns, dtypes and
rows (sorted, as CSV) hash to the fingerprint written here. It guards census.demo's determinism
through refactors (the generator split by what it makes) and through dependency upgrades (a numpy
that draws other random numbers). A change that means to alter the demo county updates these
fingerprints in the same commit and says why; the failure message prints the new ones."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from countyedu.census.demo import generate

FINGERPRINTS = {
    2019: {
        "townships": "9b6a16303204f868c72b173c1a537a0f5a7b18028b81963af90ef5993edf24f8",
        "communities": "221165e697598c0d6e22a52f9ed94142ac7ecddadc5250b4985ece68319d1dab",
        "population": "2e1cb79d910716cc296cce6293118304274362f70c281017f5e5d6d25b921cbb",
        "schools": "26b46200831c36737177c88d681010f3669b423443bfb464be599307bca3c83f",
        "school_years": "ca0f3a1c4b5c01533c29969dfa3ce69d95a812e19f9eaf35fe94ece632afbb61",
        "classes": "4d75ac20b23efc84e48062a5724982bdd4dc876bef266bae57fa84d4f51a9c3c",
        "teachers": "3596c005b58f5e77712678cac36626ca731019aa648c0d8e164f59d96e84df50",
        "catchments": "3691abd89a6a15e93e7c5de1bf089a96ef80ac2d43db76b04cd82a4dd824408b",
        "rotation_exemptions": "91f4247c60dbe414ad59c29dd6668bb135f85aec870779a7594d021a50f720c4",
        "finance": "d820d08f384befb3720b4cd24e5ce521d4430c54cdf1f40775f20803934faf48",
        "after_school": "052578f31472bb92ef9b4db54a8ea01eed21fc4403eb6c31c89212d0d43c59a7",
        "projects": "a2b4ce23c0024b83892264c6d392194d3d0f3c03602e05025cdfda6769f4118b",
        "candidates": "4d22e91ca943f9c1bba51a1f7ec207e585dfa3c3738a881d1629c65fce3ea83c",
        "programmes": "21676d268538fd2c5d848a31e8f7b146ea1657a05f0569fa34fe57126cf1a498",
        "tasks": "6c085cf7ab313414b07121678669016797a5e6c3dd63b9c1566cebd5b51a5455",
        "inspectors": "4136f959f7c9b968307e4df307afcb5602d6d4aec3da2ef3a78b6e576183418d",
        "results": "ab2ab8b6484f941985763b707c7b1129828eb68c44fc0fe66a1f7a9b57722d8a",
        "private_schools": "9145e147c6fc701655c5f3ce89f0b113df6dac81865fa79e042089bc7a9d50dd",
        "housing_projects": "34658a20cb036b31bc785ba0e10cea5f3a220054627139bc92f2b9e07f2bf55a",
        "majors": "0294b532fa824093535456289d37be41dba1625182f4e9c8d15acbb93bf8555f",
        "enterprises": "9ad35432a02e3c70c723a239a57109402d702af2cd24d2403504220cfe33d8a2",
        "order_classes": "346c2e420c4318d240282c28f28f86c3a633ba971836bd2a04bc7fea2a0a0078",
        "internships": "7dd8f866d4053a0f7b8ce96b3ab8d7ea3583545bdfad04b7c85c1c2e28599d8b",
        "learning_outcomes": "bc6d30475d838df6c79f8b773bf17830cfc242d320ef31c4942422cf1e52f8ab",
        "roads": "8b77cd79beb240b5cbf9349844119448188361198e32c5ecf8362f62219babf3",
    },
    7: {
        "townships": "9b6a16303204f868c72b173c1a537a0f5a7b18028b81963af90ef5993edf24f8",
        "communities": "5620df497d1200b010f8e657e45ed751780b601137686fba1f23ae999d7cd88d",
        "population": "4fe131ea3ccdc263fc09c15e2bb0d1af1bb348fa4d9de8e6b4c32366ca592b47",
        "schools": "e3c49e4b7000b17bf5ebe27cf6d844123f93eab927a5b84ff9ceae9ca6943769",
        "school_years": "30efd7649b44c5be6f6c8d5cb7e31f6e3c72212acba6d573eacd5b4dc0de2202",
        "classes": "8c363fd4de7057bb286ae0b34d0443a0a5c91a02e77d2c60982fa4df83e3ea45",
        "teachers": "33cc177355b3f84ee5f7f38678cf956fc2d6648f723684e99f9d3d0f1bb08789",
        "catchments": "3691abd89a6a15e93e7c5de1bf089a96ef80ac2d43db76b04cd82a4dd824408b",
        "rotation_exemptions": "9b42c86b30659f869fa43ddb3ec32c0f99830b5c4867e05bb204821fcdf74abc",
        "finance": "e303e5892f239d46514c51342e2c3cb555e730c7c93fd92b44f64de62b07a542",
        "after_school": "4ce2eb4acb0b58fa4a133abe9cbe229122340e6e5e7221b334b4d6f567095a53",
        "projects": "a2b4ce23c0024b83892264c6d392194d3d0f3c03602e05025cdfda6769f4118b",
        "candidates": "9700c8ad64318d97f6ab8ddebe744ce87d6f03b1e47ca869f1125e461dbc3990",
        "programmes": "beb06ac4a3d2328c70fc594e81e2a1fce3b01dd0b3b070e9df01994957e1131e",
        "tasks": "6c085cf7ab313414b07121678669016797a5e6c3dd63b9c1566cebd5b51a5455",
        "inspectors": "4136f959f7c9b968307e4df307afcb5602d6d4aec3da2ef3a78b6e576183418d",
        "results": "2468166a15e9228194fff6ef569004a4a0e5ed6a9bfddb4af1b6cc542f46a266",
        "private_schools": "0c5f4570a0c6d24de9894d5f7e7f5eb96bcf35bb137f1ba1cd352026c19e167a",
        "housing_projects": "34658a20cb036b31bc785ba0e10cea5f3a220054627139bc92f2b9e07f2bf55a",
        "majors": "ae65ae798b5c522491eca12a7da987db5bb93063f93a950c5d9e93c6908afc1f",
        "enterprises": "9ad35432a02e3c70c723a239a57109402d702af2cd24d2403504220cfe33d8a2",
        "order_classes": "5025cb809c4788980af25dcdadbef8057744937b09b31d8e3767339ebf3fff31",
        "internships": "5d77ba0d0bed9263045b746462a6f771c51077ac688c8af7aaa02197209fad9a",
        "learning_outcomes": "a67be45f4380f1c496fadef45472e83abb0dad2e65de36e386184d2a4c85b781",
        "roads": "aae54a8b60b83099de23b23eac58dc89da25c3ef08c7844e6676ae12e424952f",
    },
}


def fingerprint(df: pd.DataFrame) -> str:
    """SHA-256 of a sheet's columns with their dtypes, then its rows sorted by every column, as CSV."""
    head = ",".join(f"{c}:{t}" for c, t in df.dtypes.items())
    rows = df.sort_values(list(df.columns), kind="mergesort", na_position="first")
    body = rows.to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(f"{head}\n{body}".encode()).hexdigest()


@pytest.mark.parametrize("seed", sorted(FINGERPRINTS))
def test_it_generates_the_same_county_for_a_seed(seed: int) -> None:
    frames = generate(seed)
    found = {name: fingerprint(df) for name, df in frames.items()}
    changed = "\n".join(f'        "{n}": "{h}",' for n, h in found.items() if FINGERPRINTS[seed].get(n) != h)
    assert found == FINGERPRINTS[seed], f"the demo county of seed {seed} changed; new fingerprints:\n{changed}"
