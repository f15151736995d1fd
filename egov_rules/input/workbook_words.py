"""Every message the workbook reader, its guard, its cell reader and the template writer say, in English and
Chinese side by side.

One entry per message: the English is what the tests pin and ``to_dict`` carries, the Chinese is what
``--lang zh``, the workbench and ``?lang=zh`` show.  Chinese texts quote what the user typed in “”, name sheets
and entity kinds by their Chinese labels, and keep only option names (``--max-bytes``), file extensions and
program names in Latin letters.  Parameters that read differently per language are ``Local``s.
"""

from __future__ import annotations

from typing import Any

from ..errors import Local, Wording

W = Wording

# ------------------------------------------------------------------------------------- the zip (xlsx_guard)
NOT_A_ZIP = W("not an xlsx workbook (the file is not a zip archive)", "不是 .xlsx 工作簿（该文件不是压缩包）")
BROKEN_ZIP = W("not a readable xlsx workbook (broken zip archive: {detail})",
               "无法读取该 .xlsx 工作簿（压缩包已损坏）")
TOO_MANY_PARTS = W("the workbook has {count} parts", "工作簿包含 {count} 个部件")
ZIP_BOMB = W("the workbook would expand to more than {budget} bytes when unzipped (part '{part}' declares {size} "
             "bytes): refused as a possible zip bomb",
             "工作簿解压后将超过 {budget} 字节（部件“{part}”声明为 {size} 字节），疑为压缩炸弹，不予读取")
PART_TOO_BIG = W("the workbook's {what} would expand to {size} bytes", "工作簿的{what}解压后将达 {size} 字节")
SHARED_STRINGS = Local("shared strings", "共享字符串表")
NO_WORKBOOK_PART = W("not an xlsx workbook (a zip archive without a workbook part)",
                     "不是 .xlsx 工作簿（压缩包中没有工作簿部件）")
MACROS = W("the workbook contains macros (xlsm); macros are never run and such workbooks are refused",
           "工作簿含有宏（.xlsm）：宏一律不运行，此类工作簿不予接受")
EXTERNAL_LINKS = W("the workbook has links to other workbooks (external links), which are refused",
                   "工作簿含有指向其他工作簿的外部链接，不予接受")

# --------------------------------------------------------------------------------- the workbook (xlsx_reader)
FILE_TOO_BIG = W("file size exceeds {limit} bytes", "文件大小超过 {limit} 字节")
MACRO_FILE = W("macro-enabled workbooks (.xlsm) are refused; macros are never run",
               "不接受启用宏的工作簿（.xlsm），宏一律不运行")
UNREADABLE = W("not a readable xlsx workbook ({detail})", "无法读取该 .xlsx 工作簿（文件已损坏或不是工作簿）")
CHART_SHEET = W("chart sheets are not part of a submission workbook", "图表工作表不属于报送工作簿")
HIDDEN_SHEET = W("the sheet is {state}: hidden sheets are refused so that nothing is checked that a reader cannot "
                 "see", "该工作表处于{state}状态：隐藏的工作表不予接受，以免检查读者看不到的内容")
UNKNOWN_SHEET = W("unknown sheet '{title}'", "未知工作表“{title}”")
TWO_SHEETS = W("two sheets stand for '{sheet}'", "有两个工作表都对应“{sheet}”")
MERGED = W("merged cells ({ranges}): a merged cell hides which row or column a value belongs to",
           "合并单元格（{ranges}）：合并后看不出值属于哪一行或哪一列")
FAR_COLUMN = W("a cell in column {column}, far beyond the template's columns", "第 {column} 列有内容，远超模板的列")
TOO_MANY_ROWS_ON = W("the workbook has more than {limit} rows (sheet '{title}' goes to row {row})",
                     "工作簿超过 {limit} 行（工作表“{title}”一直到第 {row} 行）")
NO_SHEETS = W("the workbook has none of the submission's sheets", "工作簿中没有报送材料的任何工作表")
NO_SUBMISSION_SHEET = W("the workbook has no 'submission' sheet (the submission's id, as_of date and kind)",
                        "工作簿缺少“{sheet}”工作表（填写报送材料的编号、基准日期和类型）")
TOO_SLOW = W("reading the workbook took longer than {limit} s", "读取工作簿超过 {limit} 秒")
TOO_MANY_ROWS = W("the workbook has more than {limit} rows", "工作簿超过 {limit} 行")
TOO_MANY_CELLS = W("the workbook has more than {limit} filled cells", "工作簿中已填单元格超过 {limit} 个")
HIDDEN_VALUE = W("a value in a hidden row or column: nothing is checked that a reader of the workbook cannot see",
                 "隐藏的行或列中有值：读者看不到的内容不予检查")
NO_HEADER = W("the field names (row 2) are missing", "缺少字段名（第 2 行）")
NO_SUBMISSION_ROW = W("the submission sheet has no data row", "报送材料工作表没有数据行")
FORMULA = W("a formula ({formula}): formulas are never evaluated", "单元格为公式（“{formula}”）：公式一律不计算")
ERROR_VALUE = W("an error value ({value})", "单元格为错误值（“{value}”）")
UNKNOWN_FIELD = W("unknown field name '{name}' in row 2", "第 2 行的字段名“{name}”不是本表的字段")
TWO_COLUMNS = W("field '{name}' has two columns ({first} and {second})",
                "字段“{name}”占了两列（第 {first} 列和第 {second} 列）")
NO_PARENT_COLUMN = W("no column '{column}' (the id of the row's parent)", "缺少“{column}”列（本行所属{parent}的编号）")
UNNAMED_COLUMN = W("a value in a column without a field name", "该列没有字段名，却填了值")
SECOND_SUBMISSION = W("a second submission row", "出现第二个报送材料行")
NO_PARENT_ID = W("no {column}: which {parent} is this row part of?", "未填写“{column}”：本行属于哪个{parent}？")
UNKNOWN_PARENT = W("no {parent} with id '{id}' on sheet '{sheet}'", "“{sheet}”工作表中没有编号为“{id}”的{parent}")
NOT_NONE = W("'{text}' in a column that can only say 'none'", "“{text}”填在只能写“无”的列中")
NONE_BUT_ROWS = W("says 'none' but sheet {sheet} has rows for it", "写了“无”，但“{sheet}”工作表中有对应的行")

# ---------------------------------------------------------------------------------------- cells (cells.py)
A_DATE = W("a date", "填入的是日期")
DATE_WITH_TIME = W("a date with a time of day ({value})", "填入的日期带有时刻（{value}）")
NOT_A_CALENDAR_DATE = W("'{text}' is not a calendar date", "“{text}”不是有效的日期")
DATE_AS_OTHER_TEXT = W("a date typed as text in another form ('{text}')", "日期以其他格式录入为文本（“{text}”）")
NUMBER_FOR_DATE = W("a number ({value})", "填入的是数字（{value}）")
NOT_YES_NO = W("'{value}' is not yes or no", "“{value}”不是“是”或“否”")
NOT_A_CHOICE = W("'{text}' is not one of the choices", "“{text}”不在可选项中")
NOT_WHOLE = W("'{value}' is not a whole number", "“{value}”不是整数")
NOT_A_NUMBER = W("'{value}' is not a number", "“{value}”不是数字")
YES_NO_AS_TEXT = W("'{value}' is a yes/no value", "“{value}”是“是/否”值")

# ------------------------------------------------------------------------------------------ expected texts
E_SMALLER_FILE = W("a smaller file, or a higher --max-bytes", "更小的文件，或调高 --max-bytes")
E_NO_MACROS = W("an .xlsx workbook: save it as .xlsx without macros", "扩展名为 .xlsx 的工作簿：请另存为不含宏的 .xlsx")
E_SAVED_BY = W("an .xlsx workbook saved by Excel, WPS or LibreOffice",
               "用 Excel、WPS 或 LibreOffice 保存的 .xlsx 工作簿")
E_SAVED_BY_OR_YAML = W("an .xlsx workbook saved by Excel, WPS or LibreOffice, or a YAML/JSON file",
                       "用 Excel、WPS 或 LibreOffice 保存的 .xlsx 工作簿，或 .yaml／.json 文件")
E_XLSX = W("an .xlsx workbook", "扩展名为 .xlsx 的工作簿")
E_PARTS = W("at most {limit} parts in an xlsx zip", "工作簿压缩包中至多 {limit} 个部件")
E_UNZIPPED = W("at most {times} x --max-bytes unzipped; raise --max-bytes if the workbook is genuine",
               "解压后至多为 --max-bytes 的 {times} 倍；如工作簿确属正常，可调高 --max-bytes")
E_PART = W("at most {times} x --max-bytes for any part other than a sheet",
           "工作表以外的任一部件至多为 --max-bytes 的 {times} 倍")
E_WITHOUT_MACROS = W("an .xlsx workbook without macros: save it as .xlsx", "不含宏的 .xlsx 工作簿：请另存为 .xlsx")
E_NO_LINKS = W("a self-contained workbook: break the links (Data > Edit Links) and save again",
               "不依赖其他文件的工作簿：断开链接（数据 > 编辑链接）后重新保存")
E_TEMPLATE_SHEETS = W("only the sheets of the template", "只含模板中的工作表")
E_VISIBLE = W("every sheet visible (unhide it, or delete it)", "所有工作表均可见（取消隐藏，或删除该表）")
E_SHEETS_OF_TEMPLATE = W("the sheets of the template (egov-rules template --format xlsx)",
                         "模板中的工作表（由 egov-rules 的模板命令生成）")
E_ONE_SHEET = W("one sheet per kind of entity", "每类条目一个工作表")
E_UNMERGE = W("one value per cell: unmerge the cells", "每个单元格一个值：请取消合并")
E_TEMPLATE_COLUMNS = W("values only under the template's columns (at most {limit})",
                       "只在模板的列下填值（至多 {limit} 列）")
E_FEWER_ROWS = W("fewer rows, or a higher --max-entities", "减少行数，或调高 --max-entities")
E_SOME_SHEETS = W("the sheets of the template, e.g. 'submission', 'units', 'projects'",
                  "模板中的工作表，如“{submission}”“{units}”“{projects}”")
E_SUBMISSION_SHEET = W("the template's 'submission' sheet, with one row", "模板中的“{sheet}”工作表，填写一行")
E_MORE_SECONDS = W("a higher --max-seconds", "调高 --max-seconds")
E_MORE_NODES = W("a higher --max-nodes", "调高 --max-nodes")
E_SHOWN = W("the row and column shown (unhide them), or the value deleted", "取消隐藏该行和该列，或删除该值")
E_HEADER = W("row 2 of the template: the field name of each column", "模板的第 2 行：每列的字段名")
E_SUBMISSION_ROW = W("row 3: the submission's id, as_of date and kind", "第 3 行：报送材料的编号、基准日期和类型")
E_VALUE = W("the value itself, typed or pasted as a value", "值本身（直接录入，或以“只粘贴值”方式粘贴）")
E_A_VALUE = W("a value", "一个值")
E_FIELD_OF = W("a field of {sheet}", "“{sheet}”表的字段")
E_ONE_COLUMN = W("one column per field", "每个字段一列")
E_COLUMN_IN_ROW_2 = W("a column '{column}' in row 2", "第 2 行有“{column}”列")
E_TEMPLATE_COLUMNS_ONLY = W("values only under the template's columns", "只在模板的列下填值")
E_ONE_ROW = W("one row: a workbook is one submission", "只填一行：一个工作簿就是一份报送材料")
E_PARENT_ROW = W("the id of a row of sheet {sheet}", "“{sheet}”工作表中某一行的编号")
E_BLANK_OR_NONE = W("blank, or 'none' / '无' when there are no {items} (the items go on sheet {sheet})",
                    "留空；没有{items}时填“无”（各项填在“{sheet}”工作表中）")
E_BLANK = W("blank when the other sheet lists the items", "另一工作表已列出各项时留空")
E_NO_TIME = W("a date without a time", "不带时刻的日期")
E_ISO_DATE = W("a date (yyyy-mm-dd)", "日期（年-月-日，如 2016-09-20）")
E_DATE_CELL = W("a date cell, or text yyyy-mm-dd", "日期格式的单元格，或“年-月-日”形式的文本（如 2016-09-20）")
E_YES_NO = W("yes or no (是 or 否)", "“是”或“否”")
E_CHOICES = W("{en}", "以下之一：{zh}")
E_WHOLE = W("a whole number", "整数")
E_NUMBER = W("a number", "数字")
E_TEXT = W("text", "文本")
E_TYPE = W("{en}", "{zh}")


# ------------------------------------------------------ the template writer (template_command, xlsx_template)
FROM_AND_CASE = W("--from and --case both say what to fill the template with; give one",
                  "--from 与 --case 都指定了模板的填写内容，只能给出其中一个")
E_FROM_OR_CASE = W("--from FILE or --case project|unit", "--from 文件，或 --case “project”（项目）或“unit”（单位）")
XLSX_NEEDS_FILE = W("an xlsx workbook is written to a file: give -o FILE.xlsx",
                    "工作簿只能写入文件：请用 --output 指定 .xlsx 文件")
YAML_IN_XLSX = W("--format yaml writes YAML text, not a workbook: {output}",
                 "“--format yaml”写出的是文本，不是工作簿：{output}")
E_YAML_FILE = W("-o FILE.yaml, or --format xlsx", "以 .yaml 结尾的文件名（--output），或“--format xlsx”")
XLSX_SUFFIX = W("the workbook's file name should end in .xlsx: {output}", "工作簿的文件名应以 .xlsx 结尾：{output}")
E_XLSX_FILE = W("-o FILE.xlsx", "--output 加以 .xlsx 结尾的文件名")
OVERWRITE_INPUT = W("refusing to overwrite the input file '{path}'", "不会覆盖输入文件“{path}”")
NO_OUTPUT_DIRECTORY = W("the directory of the output file does not exist: {directory}",
                        "输出文件所在的目录不存在：{directory}")
CANNOT_WRITE_BOOK = W("cannot write the workbook: {reason}; nothing was written",
                      "无法写入工作簿（{reason}），未写入任何内容")
NOT_IN_FORMAT = W("'{pointer}' is not a field of the submission format, so the template cannot hold it "
                  "({count} such)",
                  "“{pointer}”不是报送格式中的字段，模板无法容纳（共 {count} 处）")
E_VALIDATE_FIRST = W("egov-rules validate to pass first", "先通过“egov-rules validate”检查")
NOT_A_MAPPING = W("the submission is not a mapping of entity lists", "报送材料不是由各类条目清单组成的映射")
E_SUBMISSION = W("a submission (submission:, units:, projects:, ...)",
                 "一份报送材料（报送信息，以及单位、项目等清单）")
CELL_REFUSES = W("cannot put this value in a workbook cell: {detail}",
                 "该值无法写入工作簿单元格（含单元格不能容纳的字符）")
E_NO_CONTROLS = W("text without control characters", "不含控制字符的文本")
WROTE = W("wrote {path}", "已写入 {path}")


def sheet(key: str) -> Local:
    """A sheet by its key in English, by its label in Chinese (项目 for ``projects``)."""
    from .layout import sheet_label, spec_by_key

    spec = spec_by_key().get(key)
    return Local(key, sheet_label(spec, "zh") if spec is not None else key)


def entity(name: str) -> Local:
    from ..text.labels import entity_label

    return Local(name, entity_label(name, "zh"))


def hidden_state(state: str) -> Local:
    return Local(state, {"hidden": "隐藏", "veryHidden": "深度隐藏"}.get(state, "隐藏"))


def described(ftype: Any, entity_name: str, label_path: str) -> Any:
    """``FieldType.describe()`` in English; in Chinese the same said in words, enum choices by their labels."""
    return E_TYPE(en=ftype.describe(), zh=_describe_zh(ftype, entity_name, label_path))


def _describe_zh(ftype: Any, entity_name: str, label_path: str) -> str:
    from ..text.labels import entity_label, enum_values

    if ftype.kind == "enum":
        return "以下之一：" + "、".join(label for _, label in enum_values(entity_name, label_path, "zh"))
    if ftype.kind == "ref":
        return "或".join(entity_label(r, "zh") for r in ftype.refs) + "的编号"
    if ftype.kind == "list" and ftype.item is not None:
        return "多项" + _describe_zh(ftype.item, entity_name, label_path + "[]")
    if ftype.kind == "object" and ftype.entity:
        return entity_label(ftype.entity, "zh")
    return {"str": "文本", "bool": "“是”或“否”", "int": "整数", "number": "数字", "date": "日期"}.get(ftype.kind, "值")
