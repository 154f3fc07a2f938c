"""Adoption reports, series, certification and rulesets."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

import marshmallow as ma
from marshmallow.validate import OneOf

from market40.api.schemas.base import BaseSchema
from market40.reports import LEVELS
from market40.reports.labels import LANGUAGES
from market40.reports.metrics import METRICS, RATIO_METRICS
from market40.reports.series import GRANULARITIES


class MetricField(ma.fields.Field):
    """Counts stay integers; ratios and thresholds become JSON numbers; undefined is null."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, Fraction | Decimal | float):
            return float(value)
        raise ma.ValidationError(f"not a number: {value!r}")


def _metric_fields() -> dict[str, ma.fields.Field]:
    fields: dict[str, ma.fields.Field] = {}
    for name in METRICS:
        ratio = name in RATIO_METRICS
        fields[name] = MetricField(
            allow_none=True,
            metadata={
                "type": "number" if ratio else "integer",
                "nullable": True,
                "description": "ratio from 0 to 1, null when undefined" if ratio else "count",
            },
        )
    return fields


MetricsSchema = BaseSchema.from_dict(_metric_fields(), name="MetricsSchema")


class ExportArgsMixin:
    format = ma.fields.String(
        load_default="json",
        validate=OneOf(("json", "csv")),
        metadata={"description": "json, or csv for a spreadsheet download"},
    )
    lang = ma.fields.String(
        load_default="en",
        validate=OneOf(LANGUAGES),
        metadata={"description": "CSV column headers: en (metric names) or vi"},
    )


class AdoptionQueryArgsSchema(ExportArgsMixin, BaseSchema):
    level = ma.fields.String(load_default="province", validate=OneOf(LEVELS))
    code = ma.fields.String(
        metadata={"description": "commune GSO code (read with as_of), former district GSO "
                  "code, market code or vendor id (not for province)"}
    )
    as_of = ma.fields.Date(metadata={"description": "local date (default: today)"})
    window = ma.fields.Integer(
        load_default=30, metadata={"description": "days of activity ending on as_of (1-366)"}
    )


class AdoptionSchema(MetricsSchema):
    level = ma.fields.String()
    code = ma.fields.String()
    name = ma.fields.String()
    as_of = ma.fields.Date()
    window = ma.fields.Integer()
    historical = ma.fields.Boolean(metadata={
        "description": "true for level=district: the former districts (in force until "
                       "30/6/2025), kept as a grouping for continuity with the 2022 targets"})

    @ma.pre_dump
    def flatten(self, report: Any, **kwargs: Any) -> dict[str, Any]:
        return {
            "level": report.level,
            "code": report.code,
            "name": report.name,
            "as_of": report.as_of,
            "window": report.window,
            "historical": report.historical,
            **report.metrics(),
        }


class SeriesQueryArgsSchema(ExportArgsMixin, BaseSchema):
    level = ma.fields.String(load_default="province", validate=OneOf(LEVELS))
    code = ma.fields.String()
    start = ma.fields.Date(
        data_key="from",
        metadata={"description": "first local date (default: 30 days / 12 months before 'to')"},
    )
    end = ma.fields.Date(data_key="to", metadata={"description": "last local date (default today)"})
    granularity = ma.fields.String(load_default="day", validate=OneOf(GRANULARITIES))


class SeriesPointSchema(MetricsSchema):
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    days = ma.fields.Integer()
    change = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Float(allow_none=True),
        metadata={"description": "relative change against the previous period; null if it was 0"},
    )

    @ma.pre_dump
    def flatten(self, point: Any, **kwargs: Any) -> dict[str, Any]:
        return {
            "period_start": point.period.start,
            "period_end": point.period.end,
            "days": point.period.days,
            "change": point.change,
            **point.metrics(),
        }


class SeriesSchema(BaseSchema):
    level = ma.fields.String()
    code = ma.fields.String()
    name = ma.fields.String()
    granularity = ma.fields.String()
    start = ma.fields.Date(data_key="from")
    end = ma.fields.Date(data_key="to")
    historical = ma.fields.Boolean(metadata={
        "description": "true for level=district: the former districts (in force until "
                       "30/6/2025), kept as a grouping for continuity with the 2022 targets"})
    points = ma.fields.List(ma.fields.Nested(SeriesPointSchema))


class CriterionSchema(BaseSchema):
    metric = ma.fields.String()
    op = ma.fields.String()
    threshold = MetricField()


class RulesetSchema(BaseSchema):
    name = ma.fields.String()
    sha256 = ma.fields.String()
    title = ma.fields.String()
    label = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    target = ma.fields.Integer()
    window = ma.fields.Integer()
    criteria = ma.fields.List(ma.fields.Nested(CriterionSchema))


class CertificationQueryArgsSchema(ExportArgsMixin, BaseSchema):
    ruleset = ma.fields.String(required=True, metadata={"description": "e.g. tn-2022"})
    as_of = ma.fields.Date(metadata={"description": "local date (default: today)"})


class CriterionResultSchema(BaseSchema):
    metric = ma.fields.String()
    op = ma.fields.String()
    threshold = MetricField()
    value = MetricField(allow_none=True)
    passed = ma.fields.Boolean()


class MarketVerdictSchema(BaseSchema):
    code = ma.fields.String()
    name = ma.fields.String()
    district_code = ma.fields.String(allow_none=True,
                                     metadata={"description": "former district"})
    commune_code = ma.fields.String(metadata={"description": "commune in force on as_of"})
    grade = ma.fields.Integer()
    certified = ma.fields.Boolean()
    criteria = ma.fields.List(ma.fields.Nested(CriterionResultSchema))
    inputs = ma.fields.Nested(MetricsSchema)

    @ma.pre_dump
    def flatten(self, verdict: Any, **kwargs: Any) -> dict[str, Any]:
        return {
            "code": verdict.code,
            "name": verdict.name,
            "district_code": verdict.district_code,
            "commune_code": verdict.commune_code,
            "grade": verdict.grade,
            "certified": verdict.certified,
            "criteria": [
                {**asdict(r.criterion), "value": r.value, "passed": r.passed}
                for r in verdict.criteria
            ],
            "inputs": verdict.figures.metrics(),
        }


class DistrictCountSchema(BaseSchema):
    code = ma.fields.String(attribute="key", allow_none=True,
                            metadata={"description": "former district (null: none, e.g. a "
                                      "market of the former Bắc Kạn)"})
    name = ma.fields.String()
    certified = ma.fields.Integer()
    markets = ma.fields.Integer()
    historical = ma.fields.Constant(True, metadata={
        "description": "former districts: in force until 30/6/2025"})


class CommuneCountSchema(BaseSchema):
    code = ma.fields.String(attribute="key")
    name = ma.fields.String(metadata={"description": "with its prefix, e.g. xã Đại Phúc"})
    certified = ma.fields.Integer()
    markets = ma.fields.Integer()


class GradeCountSchema(BaseSchema):
    grade = ma.fields.Integer(attribute="key")
    certified = ma.fields.Integer()
    markets = ma.fields.Integer()


class CertificationSummarySchema(BaseSchema):
    certified = ma.fields.Integer()
    target = ma.fields.Integer()
    progress = MetricField(metadata={"description": "certified / target"})
    by_commune = ma.fields.List(ma.fields.Nested(CommuneCountSchema),
                                metadata={"description": "communes in force on as_of"})
    by_district = ma.fields.List(ma.fields.Nested(DistrictCountSchema))
    by_grade = ma.fields.List(ma.fields.Nested(GradeCountSchema))


class CertificationSchema(BaseSchema):
    ruleset = ma.fields.Nested(RulesetSchema)
    as_of = ma.fields.Date()
    window = ma.fields.Integer()
    markets = ma.fields.List(ma.fields.Nested(MarketVerdictSchema))
    summary = ma.fields.Nested(CertificationSummarySchema)

    @ma.pre_dump
    def flatten(self, certification: Any, **kwargs: Any) -> dict[str, Any]:
        return {
            "ruleset": certification.ruleset,
            "as_of": certification.as_of,
            "window": certification.ruleset.window,
            "markets": certification.markets,
            "summary": {
                "certified": certification.certified,
                "target": certification.ruleset.target,
                "progress": certification.progress,
                "by_commune": certification.by_commune,
                "by_district": certification.by_district,
                "by_grade": certification.by_grade,
            },
        }
