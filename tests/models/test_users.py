import pytest

from models.errors import DomainError
from models.users.operations import create_user


@pytest.mark.parametrize("email, role, password, field", [
    ("a@example.com", "superuser", "long-enough", "role"),
    ("not-an-email", "clerk", "long-enough", "email"),
    ("a@example.com", "clerk", "short", "password"),
])
def test_invalid_user_is_refused_naming_the_field(db, email, role, password, field):
    with pytest.raises(DomainError) as info:
        create_user(db.session, email, role, password)
    assert info.value.field == field


def test_duplicate_email_is_refused_case_insensitively(db):
    create_user(db.session, "Dewi@Example.com", "clerk", "long-enough")
    with pytest.raises(DomainError, match="already exists"):
        create_user(db.session, "dewi@example.com", "admin", "long-enough")
