"""Template context shared by every page of the staff shell."""

from tracker.tenancy import access_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"access": access_for(user)}
