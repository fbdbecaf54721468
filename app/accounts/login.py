"""Who a session cookie belongs to: the user loader (accounts sits above common, so it registers itself)."""
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import SQLAlchemyError

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


class SessionInterface(SecureCookieSessionInterface):
    """Never send back a session cookie that no longer authenticates.

    With SESSION_REFRESH_EACH_REQUEST every response re-sends the cookie it was given. A request sent
    with an ended session (logged out elsewhere, password changed) whose response arrives after the
    user has logged in again would put the dead cookie back over the new one, and the user's next
    request would fail as if the new login had not happened. Such a response leaves the cookie alone.
    """

    def should_set_cookie(self, app, session) -> bool:
        if "_user_id" in session:
            try:
                alive = load_user(session["_user_id"]) is not None  # from the identity map when already loaded
            except SQLAlchemyError:
                alive = False  # the request's transaction failed: leave the cookie as it is
            if not alive:
                return False
        return super().should_set_cookie(app, session)
