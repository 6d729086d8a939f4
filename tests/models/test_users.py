import pytest

from models.errors import DomainError
from models.users.operations import create_user, issue_api_token, revoke_api_tokens


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


def test_revoking_changes_the_token_secret(db, make):
    user, _ = make.user()
    token = issue_api_token(user)
    before = user.fs_token_uniquifier
    revoke_api_tokens(db.session, user)
    assert token and user.fs_token_uniquifier != before
