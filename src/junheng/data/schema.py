"""The census workbook schema (学校普查工作簿结构), declared once.

Every sheet and column of ``spec/data-format.md``: its English key, its
Chinese label, its type, whether the column and the cell are required, the
allowed values of an enumeration (English key and Chinese label) and simple
bounds. Reading, validation, the template and the synthetic generator all
read this module, so a column exists in exactly one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["id", "text", "int", "float", "enum", "bool", "year"]


@dataclass(frozen=True)
class Enum:
    """An enumeration: canonical English keys with their Chinese labels."""

    values: tuple[tuple[str, str], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.values)

    def label(self, key: str) -> str:
        return dict(self.values)[key]

    def parse(self, raw: str) -> str | None:
        """Return the canonical key for an English key or Chinese label."""
        text = raw.strip()
        for key, zh in self.values:
            if text.lower() == key or text == zh:
                return key
        return None


@dataclass(frozen=True)
class Column:
    """One column of a sheet."""

    key: str
    zh: str
    type: ColumnType
    required: bool = False  # the column must be present
    nonempty: bool = False  # every cell must hold a value
    enum: Enum | None = None
    min: float | None = None  # inclusive lower bound
    max: float | None = None  # inclusive upper bound
    unit: str = ""
    note: str = ""  # Chinese help text for the template


@dataclass(frozen=True)
class Sheet:
    """One sheet (or CSV file) of the workbook."""

    key: str
    zh: str
    columns: tuple[Column, ...]
    required: bool = False
    unique: tuple[tuple[str, ...], ...] = ()  # column sets that must be unique
    note: str = ""
    extra_columns: re.Pattern[str] | None = None  # allowed columns beyond the declared ones
    extra_column_type: ColumnType = "float"

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)


STAGES = ("primary", "junior")

SCHOOL_TYPE = Enum(
    (
        ("primary", "小学"),
        ("junior", "初级中学"),
        ("nine_year", "九年一贯制学校"),
        ("twelve_year", "十二年一贯制学校"),
        ("complete_middle", "完全中学"),
        ("teaching_point", "教学点"),
        ("special", "特殊教育学校"),
    )
)
OWNERSHIP = Enum((("public", "公办"), ("private", "民办")))
AFFILIATION = Enum((("county", "县属及以下"), ("city", "市属"), ("province", "省属")))
LOCALE = Enum((("urban", "城区"), ("town", "镇区"), ("rural", "乡村")))
STAGE = Enum((("primary", "小学"), ("junior", "初中")))
SUBJECT = Enum(
    (
        ("chinese", "语文"),
        ("math", "数学"),
        ("english", "英语"),
        ("science", "科学"),
        ("physics", "物理"),
        ("chemistry", "化学"),
        ("biology", "生物"),
        ("politics", "道德与法治"),
        ("history", "历史"),
        ("geography", "地理"),
        ("pe", "体育"),
        ("music", "音乐"),
        ("art", "美术"),
        ("it", "信息技术"),
        ("other", "其他"),
    )
)
GENDER = Enum((("male", "男"), ("female", "女")))
DEGREE = Enum(
    (
        ("postgraduate", "研究生"),
        ("bachelor", "本科"),
        ("associate", "专科"),
        ("secondary", "高中/中专"),
        ("below", "高中以下"),
    )
)
TITLE = Enum(
    (
        ("senior", "正高级/高级"),
        ("first", "一级"),
        ("second", "二级"),
        ("third", "三级"),
        ("none", "未定级"),
    )
)
BACKBONE = Enum(
    (
        ("none", "无"),
        ("school", "校级"),
        ("county", "县级"),
        ("city", "市级"),
        ("province", "省级"),
        ("national", "国家级"),
    )
)
TERRAIN = Enum((("plain", "平原"), ("hill", "丘陵"), ("mountain", "山区")))
SURVEY_GROUP = Enum(
    (
        ("parents", "家长"),
        ("teachers", "教师"),
        ("students", "学生"),
        ("principals", "校长"),
        ("public", "社会公众"),
    )
)

# Stages each school type teaches (students_{stage} may be > 0 only for these).
TYPE_STAGES: dict[str, tuple[str, ...]] = {
    "primary": ("primary",),
    "junior": ("junior",),
    "nine_year": ("primary", "junior"),
    "twelve_year": ("primary", "junior", "senior"),
    "complete_middle": ("junior", "senior"),
    "teaching_point": ("primary",),
    "special": ("primary", "junior", "senior"),
}

_N = 0.0  # lower bound of counts, areas and money


def _teacher_columns(stage: str, zh_stage: str) -> tuple[Column, ...]:
    return (
        Column(f"teachers_{stage}", f"{zh_stage}专任教师数", "int", min=_N, unit="人"),
        Column(
            f"above_degree_teachers_{stage}", f"{zh_stage}高于规定学历教师数", "int", min=_N,
            unit="人",
        ),
        Column(
            f"mid_title_teachers_{stage}", f"{zh_stage}中级及以上职称教师数", "int", min=_N,
            unit="人",
        ),
        Column(
            f"backbone_teachers_{stage}", f"{zh_stage}县级及以上骨干教师数", "int", min=_N,
            unit="人",
        ),
        Column(
            f"pe_art_teachers_{stage}", f"{zh_stage}体育、艺术专任教师数", "int", min=_N,
            unit="人",
        ),
    )


SCHOOLS = Sheet(
    "schools",
    "学校基本信息",
    (
        Column("school_id", "学校标识码", "id", required=True, nonempty=True,
               note="10位国家学校标识码；没有时填本县唯一编号"),
        Column("name", "学校名称", "text", required=True, nonempty=True),
        Column("county_code", "县区代码", "text", required=True, nonempty=True),
        Column("county_name", "县区名称", "text", required=True, nonempty=True),
        Column("township", "乡镇(街道)", "text"),
        Column("type", "办学类型", "enum", required=True, nonempty=True, enum=SCHOOL_TYPE),
        Column("ownership", "举办者", "enum", required=True, nonempty=True, enum=OWNERSHIP),
        Column("affiliation", "隶属关系", "enum", required=True, nonempty=True, enum=AFFILIATION),
        Column("locale", "城乡分类", "enum", required=True, nonempty=True, enum=LOCALE),
        Column("lon", "经度", "float", unit="度", note="十进制度，如 114.1234"),
        Column("lat", "纬度", "float", unit="度", note="十进制度，如 38.0321"),
        Column("boarding", "是否寄宿制", "bool", note="1=是，0=否"),
        Column("parent_school_id", "所属学校", "id", note="教学点所属学校的标识码"),
    ),
    required=True,
    unique=(("school_id",),),
)

SCHOOL_YEARS = Sheet(
    "school_years",
    "学校年度统计",
    (
        Column("school_id", "学校标识码", "id", required=True, nonempty=True),
        Column("year", "学年", "year", required=True, nonempty=True, note="学年开始年份，如 2025"),
        Column("students_primary", "小学在校生数", "int", required=True, min=_N, unit="人"),
        Column("students_junior", "初中在校生数", "int", required=True, min=_N, unit="人"),
        Column("students_senior", "高中在校生数", "int", min=_N, unit="人"),
        Column("classes_primary", "小学班数", "int", required=True, min=_N, unit="个"),
        Column("classes_junior", "初中班数", "int", required=True, min=_N, unit="个"),
        Column("teaching_aux_area", "教学及辅助用房面积", "float", required=True, min=_N,
               unit="m²"),
        Column("indoor_sports_area", "其中:室内体育用房面积", "float", min=_N, unit="m²"),
        Column("sports_area", "体育运动场(馆)面积", "float", required=True, min=_N, unit="m²"),
        Column("equipment_value", "教学仪器设备资产值", "float", required=True, min=_N,
               unit="元", note="单位：元（不是万元）"),
        Column("computers", "教学用计算机台数", "int", required=True, min=_N, unit="台"),
        Column("books", "图书册数", "int", required=True, min=_N, unit="册"),
        Column("multimedia_classrooms", "网络多媒体教室数", "int", required=True, min=_N,
               unit="间"),
        Column("music_rooms", "音乐专用教室数", "int", min=_N, unit="间"),
        Column("art_rooms", "美术专用教室数", "int", min=_N, unit="间"),
        Column("music_room_area", "音乐专用教室面积", "float", min=_N, unit="m²"),
        Column("art_room_area", "美术专用教室面积", "float", min=_N, unit="m²"),
        Column("public_funds", "公用经费支出", "float", min=_N, unit="元"),
        Column("design_capacity", "设计规模(学位数)", "int", min=_N, unit="人"),
        Column("migrant_students", "随迁子女", "int", min=_N, unit="人"),
        Column("left_behind_students", "留守儿童", "int", min=_N, unit="人"),
        Column("disabled_students", "残疾学生", "int", min=_N, unit="人"),
        *_teacher_columns("primary", "小学"),
        *_teacher_columns("junior", "初中"),
    ),
    required=True,
    unique=(("school_id", "year"),),
)

TEACHERS = Sheet(
    "teachers",
    "专任教师名册",
    (
        Column("teacher_id", "教师编号", "id", required=True, nonempty=True),
        Column("school_id", "任教学校", "id", required=True, nonempty=True),
        Column("stage", "任教学段", "enum", required=True, nonempty=True, enum=STAGE),
        Column("subject", "任教学科", "enum", required=True, nonempty=True, enum=SUBJECT),
        Column("birth_year", "出生年份", "year"),
        Column("gender", "性别", "enum", enum=GENDER),
        Column("degree", "最高学历", "enum", required=True, nonempty=True, enum=DEGREE),
        Column("title", "专业技术职务", "enum", required=True, nonempty=True, enum=TITLE),
        Column("backbone", "骨干级别", "enum", required=True, nonempty=True, enum=BACKBONE),
        Column("years_at_school", "本校连续任教年限", "int", min=_N, max=60, unit="年"),
        Column("rural_service_years", "农村/薄弱学校任教年限", "int", min=_N, max=60, unit="年"),
        Column("training_hours_5y", "近五年培训学时", "float", min=_N, unit="学时"),
        Column("certified", "持教师资格证", "bool"),
        Column("on_post", "在岗", "bool"),
        Column("last_rotation_year", "最近一次交流轮岗年份", "year", note="从未交流则留空"),
        Column("retirement_year", "预计退休年份", "year", note="留空时按出生年份和性别推算"),
    ),
    unique=(("teacher_id",),),
)

CLASSES = Sheet(
    "classes",
    "班级",
    (
        Column("school_id", "学校标识码", "id", required=True, nonempty=True),
        Column("year", "学年", "year", required=True, nonempty=True),
        Column("stage", "学段", "enum", required=True, nonempty=True, enum=STAGE),
        Column("grade", "年级", "int", required=True, nonempty=True, min=1, max=9,
               note="1–9 年级"),
        Column("class_no", "班号", "text", required=True, nonempty=True),
        Column("size", "班额(人数)", "int", required=True, nonempty=True, unit="人"),
    ),
    unique=(("school_id", "year", "stage", "grade", "class_no"),),
)

VILLAGES = Sheet(
    "villages",
    "村(社区)",
    (
        Column("village_id", "村(社区)编号", "id", required=True, nonempty=True),
        Column("name", "名称", "text", required=True, nonempty=True),
        Column("township", "乡镇(街道)", "text"),
        Column("lon", "经度", "float", unit="度"),
        Column("lat", "纬度", "float", unit="度"),
        Column("population", "常住人口", "int", min=_N, unit="人"),
        Column("children_primary", "小学适龄儿童数", "int", required=True, min=_N, unit="人"),
        Column("children_junior", "初中适龄少年数", "int", required=True, min=_N, unit="人"),
        Column("terrain", "地形", "enum", enum=TERRAIN),
    ),
    unique=(("village_id",),),
    extra_columns=re.compile(r"^children_(primary|junior)_(next|\d{4})$"),
    note="可另加预测列，如 children_primary_2027、children_junior_next",
)

TRAVEL = Sheet(
    "travel",
    "通行距离",
    (
        Column("from_id", "起点(村)编号", "id", required=True, nonempty=True),
        Column("to_id", "终点(学校/选址)编号", "id", required=True, nonempty=True),
        Column("km", "距离", "float", required=True, nonempty=True, min=_N, unit="km"),
        Column("minutes", "时间", "float", min=_N, unit="分钟"),
    ),
    unique=(("from_id", "to_id"),),
)

SITES = Sheet(
    "sites",
    "候选校址",
    (
        Column("site_id", "选址编号", "id", required=True, nonempty=True),
        Column("lon", "经度", "float", required=True, nonempty=True, unit="度"),
        Column("lat", "纬度", "float", required=True, nonempty=True, unit="度"),
        Column("max_capacity", "最大学位数", "int", required=True, nonempty=True, min=1,
               unit="人"),
        Column("build_cost_per_place", "每学位建设成本", "float", min=_N, unit="元"),
        Column("fixed_cost", "固定成本", "float", min=_N, unit="元"),
    ),
    unique=(("site_id",),),
)

COUNTY_FINANCE = Sheet(
    "county_finance",
    "县级教育经费",
    (
        Column("year", "年度", "year", required=True, nonempty=True),
        Column("recurrent_revenue", "财政经常性收入", "float", min=_N, unit="元"),
        Column("edu_appropriation", "预算内教育经费拨款", "float", min=_N, unit="元"),
        Column("per_student_spending_primary", "小学生均教育事业费", "float", min=_N,
               unit="元"),
        Column("per_student_spending_junior", "初中生均教育事业费", "float", min=_N, unit="元"),
        Column("per_student_public_funds_primary", "小学生均公用经费", "float", min=_N,
               unit="元"),
        Column("per_student_public_funds_junior", "初中生均公用经费", "float", min=_N,
               unit="元"),
    ),
    unique=(("year",),),
)

COUNTY_CHECKS = Sheet(
    "county_checks",
    "县级核查数据",
    (
        Column("key", "核查项", "text", required=True, nonempty=True),
        Column("value", "数值", "text", required=True, nonempty=True),
        Column("year", "年度", "year"),
        Column("evidence", "佐证材料", "text"),
    ),
    unique=(("key", "year"),),
)

SURVEY = Sheet(
    "survey",
    "社会认可度调查",
    (
        Column("group", "调查对象", "enum", required=True, nonempty=True, enum=SURVEY_GROUP),
        Column("respondents", "有效样本数", "int", required=True, nonempty=True, min=_N,
               unit="人"),
        Column("satisfied", "满意人数", "int", required=True, nonempty=True, min=_N, unit="人"),
    ),
    unique=(("group",),),
)

SHEETS: tuple[Sheet, ...] = (
    SCHOOLS,
    SCHOOL_YEARS,
    TEACHERS,
    CLASSES,
    VILLAGES,
    TRAVEL,
    SITES,
    COUNTY_FINANCE,
    COUNTY_CHECKS,
    SURVEY,
)
SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}


@dataclass(frozen=True)
class CheckKey:
    """A known fact of the ``county_checks`` sheet and how its value is read."""

    key: str
    zh: str
    kind: Literal["rate", "bool", "money", "number"]


# Known county_checks keys (data-format.md); rates are fractions in [0, 1].
COUNTY_CHECK_KEYS: tuple[CheckKey, ...] = (
    CheckKey("teacher_avg_pay", "教师平均工资收入", "money"),
    CheckKey("civil_servant_avg_pay", "当地公务员平均工资收入", "money"),
    CheckKey("junior_retention_rate_3y", "初中三年巩固率", "rate"),
    CheckKey("disabled_enrolment_rate", "残疾儿童少年入学率", "rate"),
    CheckKey("quota_allocation_share", "优质高中招生名额分配比例", "rate"),
    CheckKey("quota_rural_tilt", "名额分配向农村学校倾斜", "bool"),
    CheckKey("migrant_public_share", "随迁子女公办就读比例", "rate"),
    CheckKey("catchment_admission_share_primary", "小学就近划片入学比例", "rate"),
    CheckKey("catchment_admission_share_junior", "初中就近划片入学比例", "rate"),
    CheckKey("special_school_public_funds_per_student", "特殊教育学校生均公用经费", "money"),
    CheckKey("teacher_training_funds_share", "教师培训经费占公用经费比例", "rate"),
    CheckKey("layout_plan_ok", "学校规划布局合理", "bool"),
    CheckKey("unified_standards", "城乡办学标准统一", "bool"),
    CheckKey("staffing_unified", "编制岗位统筹分配", "bool"),
    CheckKey("performance_pay_full", "足额核定绩效工资总量", "bool"),
    CheckKey("left_behind_care_ok", "留守儿童关爱体系健全", "bool"),
    CheckKey("no_key_schools", "无重点校重点班", "bool"),
    CheckKey("no_exam_admission", "无以考试方式招生", "bool"),
    CheckKey("no_illegal_school_choice", "无违规择校", "bool"),
    CheckKey("school_charters_ok", "学校章程与信息化管理", "bool"),
    CheckKey("ict_teaching_ok", "教师熟练运用信息化手段", "bool"),
    CheckKey("moral_education_ok", "德育与校园文化良好", "bool"),
    CheckKey("curriculum_complete", "课程开齐开足", "bool"),
    CheckKey("no_excess_workload", "无过重课业负担", "bool"),
    CheckKey("quality_monitoring_ok", "国家义务教育质量监测达标", "bool"),
    CheckKey("basic_balance_certified_year", "通过基本均衡认定年份", "number"),
)
COUNTY_CHECK_KEYS_BY_KEY: dict[str, CheckKey] = {c.key: c for c in COUNTY_CHECK_KEYS}

TRUE_WORDS = frozenset({"1", "1.0", "是", "y", "yes", "true", "t", "√", "有"})
FALSE_WORDS = frozenset({"0", "0.0", "否", "n", "no", "false", "f", "×", "无"})

_HEADER_CLEAN = re.compile(r"[\s\u3000]+")
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "、": "、"})


def normalise_header(text: str) -> str:
    """Canonical form of a header cell: no spaces, half-width brackets, lower case."""
    return _HEADER_CLEAN.sub("", str(text)).translate(_FULLWIDTH).lower()


def header_lookup(sheet: Sheet) -> dict[str, str]:
    """Map every accepted spelling of a header (key or Chinese label) to its key."""
    table: dict[str, str] = {}
    for col in sheet.columns:
        table[normalise_header(col.key)] = col.key
        table[normalise_header(col.zh)] = col.key
        # "学校标识码(school_id)" / "学校标识码 school_id" as written by some tools
        table[normalise_header(f"{col.zh}({col.key})")] = col.key
        table[normalise_header(f"{col.zh}{col.key}")] = col.key
    return table


def sheet_lookup() -> dict[str, str]:
    """Map every accepted spelling of a sheet name to its key."""
    table: dict[str, str] = {}
    for sheet in SHEETS:
        table[normalise_header(sheet.key)] = sheet.key
        table[normalise_header(sheet.zh)] = sheet.key
        table[normalise_header(f"{sheet.zh}({sheet.key})")] = sheet.key
    return table


__all__ = [
    "SHEETS",
    "SHEETS_BY_KEY",
    "STAGES",
    "TYPE_STAGES",
    "Column",
    "Enum",
    "Sheet",
]
