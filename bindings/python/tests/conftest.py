import os
import pathlib

import pytest

DATA = pathlib.Path(os.environ.get("RVC_TEST_DATA_DIR", pathlib.Path(__file__).resolve().parents[3] / "tests" / "data"))


@pytest.fixture(scope="session")
def data():
    return DATA
