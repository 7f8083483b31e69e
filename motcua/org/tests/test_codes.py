import pytest
from django.core.exceptions import ValidationError

from motcua.org.models import validate_agency_code, validate_electronic_id, validate_office_hours


@pytest.mark.parametrize("code", ["000.00.00.H56", "000.00.15.H56", "000.01.15.G15"])
def test_it_accepts_qcvn_102_agency_codes(code):
    validate_agency_code(code)


@pytest.mark.parametrize(
    "code", ["", "H56", "000.00.00.h56", "00.00.00.H56", "000.00.00.H5", "000-00-00-H56"]
)
def test_it_rejects_malformed_agency_codes_with_a_vietnamese_message(code):
    with pytest.raises(ValidationError) as err:
        validate_agency_code(code)
    assert "QCVN 102" in str(err.value)


@pytest.mark.parametrize("value", ["H56", "H56.14", "G15.01.AB"])
def test_it_accepts_decision_20_identifiers(value):
    validate_electronic_id(value)


@pytest.mark.parametrize("value", ["", "h56.14", "56.14", "H56..14", "H56." + "1" * 40])
def test_it_rejects_malformed_decision_20_identifiers(value):
    with pytest.raises(ValidationError):
        validate_electronic_id(value)


@pytest.mark.parametrize("value", ["08:00-12:00,13:00-17:00", "07:30-11:30,13:30-17:00", ""])
def test_it_accepts_office_hours(value):
    validate_office_hours(value)


@pytest.mark.parametrize("value", ["8-12", "12:00-08:00", "08:00-12:00,11:00-17:00", "25:00-26:00"])
def test_it_rejects_bad_office_hours(value):
    with pytest.raises(ValidationError):
        validate_office_hours(value)
