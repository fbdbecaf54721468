"""Who a session cookie belongs to: the user loader (accounts sits above common, so it registers itself)."""
from app.accounts.models import User
from app.extensions import db, login_manager


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The session token is "<user id>:<nonce>"; a changed nonce (logout, password reset) ends every session."""
    user_id, _, nonce = token.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_nonce != nonce or not user.active or user.locked:
        return None
    return user
