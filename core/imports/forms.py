"""The column-mapping step: one select per expected column, offering the file's headers."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired, Optional

from core.imports.spec import Column, ImportSpec

FIELD_PREFIX = "column_"  # keeps a spec's field names clear of the form's own (submit, csrf_token)


class MappingForm(FlaskForm):
    """Base of the forms ``mapping_form_class`` builds; ``mapping()`` is what ``parse`` takes."""

    spec: ImportSpec
    submit = SubmitField(_l("Continue"))

    def column_fields(self) -> list[tuple[Column, SelectField]]:
        """Each expected column with its select, in the spec's order."""
        return [(column, self[FIELD_PREFIX + column.field]) for column in self.spec.columns]

    def mapping(self) -> dict[str, str | None]:
        return {column.field: select.data or None for column, select in self.column_fields()}

    def validate(self, extra_validators=None) -> bool:
        """The selects' own checks, and no header chosen for two columns."""
        valid = super().validate(extra_validators)
        chosen: dict[str, Column] = {}
        for column, select in self.column_fields():
            if select.data and select.data in chosen:
                select.errors.append(_("This column is already chosen for “%(label)s”.",
                                       label=chosen[select.data].label))
                valid = False
            elif select.data:
                chosen[select.data] = column
        return valid


def initial_mapping(spec: ImportSpec, headers: list[str], remembered: dict | None = None) -> dict[str, str | None]:
    """The mapping the form offers first: the guessed headers, except that ``remembered`` (the mapping of the
    previous import) wins for every field whose header this file has too, so a monthly export is mapped once."""
    guess = spec.guess_mapping(headers)
    kept = {name: header for name, header in (remembered or {}).items() if header in headers}
    if kept:
        taken = set(kept.values())
        guess = {name: kept.get(name) or (header if header not in taken else None) for name, header in guess.items()}
    return guess


def mapping_form_class(spec: ImportSpec, headers: list[str], remembered: dict | None = None) -> type[MappingForm]:
    """A form class for this spec and file, with the ``initial_mapping`` pre-selected."""
    guess = initial_mapping(spec, headers, remembered)
    fields = {"spec": spec}
    for column in spec.columns:
        if column.required:
            empty, validators = _l("— choose a column —"), [InputRequired(_l("Choose the column that holds this."))]
        else:
            empty, validators = _l("— not in the file —"), [Optional()]
        fields[FIELD_PREFIX + column.field] = SelectField(
            column.label, choices=[SelectChoice("", empty), *(SelectChoice(header, header) for header in headers)],
            default=guess[column.field] or "", validators=validators)
    return type("ImportMappingForm", (MappingForm,), fields)
