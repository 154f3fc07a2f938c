"""The web forms. Each FlaskForm checks its own CSRF token (Flask-WTF), so only these
forms are protected and the JSON API, which authenticates with bearer tokens and never
with cookies, is left alone: no global CSRFProtect, nothing to exempt."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    name = StringField(validators=[DataRequired(), Length(max=80)])
    password = PasswordField(validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Logging out is a POST with a token, so another site cannot log a user out."""
