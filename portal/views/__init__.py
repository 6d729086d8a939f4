"""Portal pages (server-rendered); each module is one blueprint."""
from flask import Flask, render_template


def register_views(app: Flask) -> None:
    from portal.views.dashboard import bp as dashboard
    app.register_blueprint(dashboard)

    for code in (403, 404):
        app.register_error_handler(code, lambda e, code=code: (render_template(f"errors/{code}.html"), code))
