<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>LandConsolidation</name>
        <message>
            <location filename="../plugin/adapters/contiguity.py"/>
            <source>The contiguity numbers could not follow an edit; they are computed again.</source>
            <translation>集中连片数据未能随编辑更新，将重新计算。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/crs.py"/>
            <source>The layer {0} has no valid coordinate reference system; set one in its properties.</source>
            <translation>图层 {0} 没有有效的坐标参考系，请在图层属性中设置。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/datachecks.py"/>
            <source>Land consolidation: checking the data</source>
            <translation>土地综合整治：数据检查中</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/datachecks.py"/>
            <source>The data checks could not follow an edit; they are run again in full.</source>
            <translation>数据检查未能跟上编辑，正在重新全面检查。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/datachecks.py"/>
            <source>The data checks failed; see the details below.</source>
            <translation>数据检查失败，详见下文。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/datachecks.py"/>
            <source>The data checks could not start.</source>
            <translation>数据检查无法启动。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/copy_sql.py"/>
            <source>Cannot write {0}: unexpected geometry header</source>
            <translation>无法写入 {0}：几何头格式异常</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/copy_sql.py"/>
            <source>Cannot write {0}: the parcels table lacks {1}</source>
            <translation>无法写入 {0}：图斑表缺少字段 {1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/copy_sql.py"/>
            <location filename="../plugin/adapters/export/plan.py"/>
            <location filename="../plugin/adapters/gpkg.py"/>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/demo/project.py"/>
            <source>Cannot write {0}: {1}</source>
            <translation>无法写入 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/metadata.py"/>
            <source>Land consolidation plan: {0}</source>
            <translation>全域土地综合整治方案：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/metadata.py"/>
            <source>Exported on {0} by Land Consolidation Planner {1} (rule pack {2})</source>
            <translation>{0} 由全域土地综合整治规划助手 {1} 导出（规则包 {2}）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/metadata.py"/>
            <source>Source {0}: {1} ({2})</source>
            <translation>数据来源 {0}：{1}（{2}）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/parcels.py"/>
            <location filename="../plugin/adapters/export/plan.py"/>
            <location filename="../plugin/adapters/export/project.py"/>
            <source>Parcels of the plan</source>
            <translation>整治图斑</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/parcels.py"/>
            <source>三调 parcels clipped at the unit boundary; areas in m², apportioned by share</source>
            <translation>按整治单元边界裁切的三调图斑；面积单位为平方米，按比例分摊</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <location filename="../plugin/adapters/export/project.py"/>
            <location filename="../plugin/demo/project.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <location filename="../plugin/main.py"/>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Remediation units</source>
            <translation>整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <source>For one file per unit, the output must be a folder: {0}</source>
            <translation>按单元分别导出时，输出位置必须是文件夹：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <source>{0}: {1} parcel pieces under {2} m² (together {3:.4f} m², parcels that only touch a unit) were left out of the parcels table</source>
            <translation>{0}：{1} 个小于 {2} m² 的图斑碎片（合计 {3:.4f} m²，仅与整治单元相接的图斑）未写入 parcels 表</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <source>The GeoPackage {0} failed validation: {1}</source>
            <translation>GeoPackage 文件 {0} 未通过校验：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <location filename="../plugin/adapters/gpkg.py"/>
            <location filename="../plugin/adapters/unit_maps.py"/>
            <source>The folder {0} does not exist.</source>
            <translation>文件夹 {0} 不存在。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>{0} exists already; choose another name or allow overwriting.</source>
            <translation>{0} 已存在；请换一个文件名，或选择允许覆盖。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <source>The unit codes {0} and {1} give the same file name; make the codes distinct.</source>
            <translation>单元编号 {0} 与 {1} 生成的文件名相同，请修改编号使其区分。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Cannot create {0}: {1}</source>
            <translation>无法创建 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/plan.py"/>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Cannot create the folder {0}: {1}</source>
            <translation>无法创建文件夹 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/progress.py"/>
            <source>Export cancelled; no file was written.</source>
            <translation>已取消导出，未写入任何文件。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/project.py"/>
            <source>Remediation units (整治单元) with their ellipsoidal area</source>
            <translation>整治单元及其椭球面积</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/project.py"/>
            <source>Parcels (三调 DLTB) of the units, clipped at the unit boundary; TBMJ, KCMJ, TBDLMJ apportioned by share</source>
            <translation>整治单元内的三调地类图斑，按单元边界裁切；TBMJ、KCMJ、TBDLMJ 按面积比例分摊</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/project.py"/>
            <source>Cannot reopen the layers just written to {0}</source>
            <translation>无法重新打开刚写入 {0} 的图层</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/project.py"/>
            <source>Cannot store the style of {0} in {1}: {2}</source>
            <translation>无法将 {0} 的样式保存到 {1}：{2}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/project.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/main.py"/>
            <source>Area balance</source>
            <translation>面积平衡</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/project.py"/>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/gui/balance_files.py"/>
            <source>Indicators</source>
            <translation>指标</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/project.py"/>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Rule pack</source>
            <translation>规则包</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export/project.py"/>
            <source>Cannot store the QGIS project in {0}: {1}</source>
            <translation>无法将 QGIS 工程保存到 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot write {0}: the disk is full. Free some space or choose another folder; nothing was changed.</source>
            <translation>无法写入 {0}：磁盘已满。请释放空间或选择其他文件夹；未做任何更改。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot write to {0}: the folder is read-only or you lack permission.</source>
            <translation>无法写入 {0}：该文件夹为只读，或您没有写入权限。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot replace {0}: the file is locked by another program; close it and try again.</source>
            <translation>无法替换 {0}：该文件被其他程序锁定，请关闭后重试。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot write table {0} to {1}: {2}</source>
            <translation>无法将表 {0} 写入 {1}：{2}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot finish {0}: {1}</source>
            <translation>无法完成 {0} 的写入：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot finish {0}: another program keeps it open.</source>
            <translation>无法完成 {0} 的写入：该文件正被其他程序占用。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>The data cannot be assessed; fix the following and run again:</source>
            <translation>数据无法评估；请修正以下问题后重新运行：</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <location filename="../plugin/adapters/postgis/crs_sql.py"/>
            <location filename="../plugin/cli/common.py"/>
            <source>parcel</source>
            <translation>图斑</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <location filename="../plugin/adapters/postgis/crs_sql.py"/>
            <location filename="../plugin/cli/common.py"/>
            <source>units</source>
            <translation>整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <location filename="../plugin/adapters/postgis/crs_sql.py"/>
            <location filename="../plugin/cli/common.py"/>
            <source>permanent basic farmland</source>
            <translation>永久基本农田</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>The units layer {0} has no field {1}</source>
            <translation>整治单元图层 {0} 没有字段 {1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>The units layer {0} has no features: draw at least one remediation unit.</source>
            <translation>整治单元图层 {0} 中没有要素：请至少绘制一个整治单元。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <source>Unit {0}: {1} units with this code in {2}</source>
            <translation>单元 {0}：{2} 中有 {1} 个单元使用此编号</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <source>The units layer {0} has no status field {1}; add a text field {1} (the units panel's layers have it)</source>
            <translation>整治单元图层 {0} 没有状态字段 {1}；请添加文本字段 {1}（单元面板新建的图层已含此字段）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <source>Unit {0}: {1} → {2}</source>
            <translation>单元 {0}：{1} → {2}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>The layer {0} cannot be edited.</source>
            <translation>图层 {0} 无法编辑。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <source>The status of unit {0} could not be saved in {1}: {2}</source>
            <translation>单元 {0} 的状态无法保存到 {1}：{2}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <source>The achieved layer {0} has no land-class field {1}</source>
            <translation>实施结果图层 {0} 没有地类字段 {1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <source>The achieved layer {0} has no polygon with a land class in {1}</source>
            <translation>实施结果图层 {0} 中没有在 {1} 字段填有地类的面</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <source>No unit with the code {0}</source>
            <translation>没有编号为 {0} 的整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/lifecycle_ops.py"/>
            <source>The status of unit {0} could not be changed in {1}.</source>
            <translation>无法在 {1} 中修改单元 {0} 的状态。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The live balance lost track of some features; recomputing in full.</source>
            <translation>实时平衡遗漏了部分要素，正在全部重新计算。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The live balance could not apply an edit; it is being recomputed in full.</source>
            <translation>实时平衡无法应用一次编辑，正在全部重新计算。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The layer {0} was removed; the live balance stopped.</source>
            <translation>图层 {0} 已被移除，实时平衡已停止。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The live balance could not be updated.</source>
            <translation>实时平衡无法更新。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The balance could not be computed; see the message log for details.</source>
            <translation>无法计算面积平衡，详情见日志消息面板。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>A layer of the live balance is no longer available.</source>
            <translation>实时平衡使用的某个图层已不可用。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>Not assessable: {0}</source>
            <translation>不可评估：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The live balance could not follow an edit.</source>
            <translation>实时平衡未能跟上一次编辑。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>Live balance: the edits since the last build were compacted in {0:.2f} s.</source>
            <translation>实时平衡：上次构建以来的编辑已合并整理，用时 {0:.2f} 秒。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_buffered.py"/>
            <source>QGIS forgot the deletion of features {0} of {1} when the save was refused (its PostgreSQL provider drops a deleted feature's id even when the deletion is rolled back): it cannot be saved as it is. Undo that deletion, then delete the feature again before you save.</source>
            <translation>保存被拒绝时，QGIS 丢失了对 {1} 中要素 {0} 的删除（其 PostgreSQL 数据提供程序在删除执行后即丢弃被删要素的 ID，即使该删除随后被回滚）：这些删除无法按原样保存。请撤销这些删除，然后在保存前重新删除这些要素。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <location filename="../plugin/adapters/postgis/plan_edits.py"/>
            <source>another planner</source>
            <translation>另一位规划人员</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <location filename="../plugin/cli/contiguity.py"/>
            <location filename="../plugin/core/report.py"/>
            <source>Unit {0}</source>
            <translation>整治单元 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Parcel {0}</source>
            <translation>图斑 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Since you read it, the parcel was split into pieces: your edits of it would apply to the piece that kept its number only, not to the other pieces.</source>
            <translation>您读取之后，该图斑已被分割：您对它的修改只会作用于保留其编号的那一块，不会作用于其他各块。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Since you read it, the parcel's split was undone: it is whole again.</source>
            <translation>您读取之后，该图斑的分割已被撤销：它已恢复为完整图斑。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Not saved: {0} was changed by {1} at {2}, after you read it. Your edits stay in the layer's edit buffer (nothing is lost): undo the ones you do not want, or save yours over theirs.</source>
            <translation>未保存：{0} 在您读取之后已被 {1} 于 {2} 修改。您的编辑仍保留在图层的编辑缓冲区中（没有丢失）：撤销不需要的修改，或用您的修改覆盖对方的修改。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Not saved: parcel {0}: only the plan fields (ZZLX, GHDLBM, GHKCXS, YNCZ) can be changed in the planning layer; the survey is the data of record.</source>
            <translation>未保存：图斑 {0}：规划图层中只能修改规划字段（ZZLX、GHDLBM、GHKCXS、YNCZ）；三调数据是法定记录。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Not saved: parcel {0} is a survey parcel, the data of record: it is not deleted in the planning layer. Deleting or merging the pieces of a split parcel gives the parcel back.</source>
            <translation>未保存：图斑 {0} 是三调图斑（法定记录），不能在规划图层中删除。删除或合并已分割图斑的各部分即可恢复原图斑。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Not saved: parcel {0} can only be cut into pieces inside its survey parcel: survey parcels are not merged or reshaped in the planning layer.</source>
            <translation>未保存：图斑 {0} 只能在其三调图斑范围内分割：规划图层中不能合并三调图斑或改变其形状。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Not saved: a feature added to the planning layer must be a piece cut from one survey parcel (its survey fields, inside it): survey parcels are not added or merged.</source>
            <translation>未保存：规划图层中新增的要素必须是从一个三调图斑分割出的部分（属性与该图斑相同，且位于其范围内）：不能新增或合并三调图斑。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Your edits stay in the layer's edit buffer (nothing is lost): undo the ones that are refused, then save again.</source>
            <translation>您的编辑仍保留在图层的编辑缓冲区中（没有丢失）：撤销被拒绝的编辑后再保存。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Not saved: {0} was changed by {1} at {2}, after you read it. Your edit of it was undone and your other edits saved: to write yours over theirs, choose Save mine over theirs, then make the edit again.</source>
            <translation>未保存：{0} 在您读取之后已被 {1} 于 {2} 修改。您对它的编辑已撤销，您的其他编辑已保存：如要用您的修改覆盖对方的修改，请选择“用我的修改覆盖对方的”，然后重新编辑一次。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_conflict.py"/>
            <source>Not saved: {0} was changed by {1} at {2}, after you read it. Your edit was undone (Redo brings it back): to write yours over theirs, choose Save mine over theirs, then Redo.</source>
            <translation>未保存：{0} 在您读取之后已被 {1} 于 {2} 修改。您的这次编辑已撤销（“重做”可恢复）：如要用您的修改覆盖对方的修改，请选择“用我的修改覆盖对方的”，然后重做。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_postgres.py"/>
            <source>Other planners' saves are not followed live on {0}: this QGIS ({1}) crashes when it listens to the database through a connection with an authentication configuration (authcfg; fixed in QGIS 3.36). Your saves are still checked against their changes. To follow them live, connect through a pg_service.conf service, or use QGIS 3.36 or later.</source>
            <translation>无法实时跟随其他规划人员在 {0} 上的保存：当前 QGIS（{1}）通过带认证配置（authcfg）的连接监听数据库时会崩溃（QGIS 3.36 已修复）。您的保存仍会与他们的修改进行核对。如需实时跟随，请通过 pg_service.conf 服务连接，或使用 QGIS 3.36 及以上版本。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_task.py"/>
            <source>Land consolidation: computing the balance</source>
            <translation>全域土地综合整治：正在计算面积平衡</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_versions.py"/>
            <source>Deleted rows of {0} are saved without the version check (run db init to add it): {1}</source>
            <translation>{0} 中删除的行保存时不做版本检查（运行 db init 可加上该检查）：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_versions.py"/>
            <source>Deleted rows of {0} are saved without the check for other planners' changes: your database role may not note the versions you saw. Ask the database administrator for GRANT EXECUTE ON FUNCTION {1}.lc_read_for_delete(text, bigint[], integer[]) TO your role.</source>
            <translation>{0} 中删除的行保存时不检查其他规划人员的修改：您的数据库角色无权记录您所读的版本。请向数据库管理员申请 GRANT EXECUTE ON FUNCTION {1}.lc_read_for_delete(text, bigint[], integer[]) TO 您的角色。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_versions.py"/>
            <source>Deleted pieces of {0} are saved without the check for other planners' changes: your database role may not run it. Ask the database administrator for GRANT EXECUTE ON FUNCTION {1}.lc_check_view_delete(bigint) TO your role.</source>
            <translation>{0} 中删除的图斑分块保存时不检查其他规划人员的修改：您的数据库角色无权运行该检查。请向数据库管理员申请 GRANT EXECUTE ON FUNCTION {1}.lc_check_view_delete(bigint) TO 您的角色。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_versions.py"/>
            <source>Deleted pieces of {0} are saved without the version check (run db init to add it).</source>
            <translation>{0} 中删除的图斑分块保存时不做版本检查（运行 db init 可加上该检查）。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_versions.py"/>
            <source>Conflict checks are off under QGIS's transaction groups: the database did not run the check ({0}). Run db init, or ask the database administrator for GRANT EXECUTE ON FUNCTION {1}.lc_check_seen(text, bigint[], integer[]) TO your role.</source>
            <translation>在 QGIS 事务组下冲突检查已关闭：数据库未能执行该检查（{0}）。请运行 db init，或向数据库管理员申请 GRANT EXECUTE ON FUNCTION {1}.lc_check_seen(text, bigint[], integer[]) TO 您的角色。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_versions_read.py"/>
            <source>The versions of {0} are read through QGIS's provider: {1}</source>
            <translation>{0} 的版本号通过 QGIS 的数据提供程序读取：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live_versions_read.py"/>
            <source>The versions are read through QGIS's provider: the query failed ({0})</source>
            <translation>版本号通过 QGIS 的数据提供程序读取：查询失败（{0}）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/outputs.py"/>
            <source>The output {0} is the input {1}: writing it would destroy the input. Choose another output file; nothing was written.</source>
            <translation>输出 {0} 就是输入 {1}：写入将毁掉输入数据。请选择其他输出文件；未写入任何内容。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/outputs.py"/>
            <source>Two outputs name the same file {0}; give each its own name.</source>
            <translation>两个输出指向同一文件 {0}；请为每个输出指定不同的文件名。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/parcel_reader.py"/>
            <source>The parcel layer {0} lacks the required field(s) {1}; map them in the field mapping.</source>
            <translation>图斑图层 {0} 缺少必需字段 {1}，请在字段映射中指定。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/pieces_writer.py"/>
            <source>Share TBMJ among the pieces</source>
            <translation>按面积分摊分割图斑的 TBMJ</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <location filename="../plugin/core/validation.py"/>
            <source>The parcel layer has no parcel with a usable geometry.</source>
            <translation>图斑图层中没有几何可用的图斑。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <location filename="../plugin/core/validation.py"/>
            <source>The units layer has no remediation unit.</source>
            <translation>整治单元图层中没有整治单元。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <location filename="../plugin/cli/common.py"/>
            <source>urban growth boundary</source>
            <translation>城镇开发边界</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <source>--in-database needs the parcels, units and PBF in one database</source>
            <translation>--in-database 要求图斑、整治单元和永久基本农田在同一个数据库中</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <source>The parcel table has no DLBM field</source>
            <translation>图斑表没有 DLBM 字段</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <source>The units table has no unit code field (DYBH); name it with --unit-field</source>
            <translation>整治单元表没有单元编号字段（DYBH）；请用 --unit-field 指定</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <location filename="../plugin/adapters/sources.py"/>
            <source>No table {0} in the database for the {1} layer</source>
            <translation>数据库中没有{1}图层所需的表 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <source>The {0} table {1} has no geometry column</source>
            <translation>{0}表 {1} 没有几何字段</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <source>The {0} table {1} has no primary key (fid/id)</source>
            <translation>{0}表 {1} 没有主键（fid/id）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <source>The {0} table has an unknown SRID {1}</source>
            <translation>{0}表的 SRID {1} 未知</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <source>The units (SRID {0}) and parcels (SRID {1}) are in different coordinate systems</source>
            <translation>整治单元（SRID {0}）与图斑（SRID {1}）的坐标系不同</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/balance.py"/>
            <source>The database refused the balance query: {0}</source>
            <translation>数据库拒绝了平衡计算查询：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/commands.py"/>
            <source>Planning schema {0}: applied version(s) {1}; now at version {2}.</source>
            <translation>规划模式 {0}：已应用版本 {1}；当前版本 {2}。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/commands.py"/>
            <source>Loaded into {0}: {1}</source>
            <translation>已载入 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/commands.py"/>
            <source>Balance source: PG:{0}|layername={1}.parcels (units: {1}.plan_unit, PBF: {1}.pbf)</source>
            <translation>平衡计算数据源：PG:{0}|layername={1}.parcels（整治单元：{1}.plan_unit，永久基本农田：{1}.pbf）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/commands.py"/>
            <source>Planning schema {0} is up to date (version {1}).</source>
            <translation>规划模式 {0} 已是最新（版本 {1}）。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/commands.py"/>
            <source>The kept shares were not filled ({0}); the first balance --in-database computes them.</source>
            <translation>未能预先计算保留的份额（{0}）；第一次 balance --in-database 将计算它们。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/commands.py"/>
            <source>Kept shares filled in {0:.1f} s: balance --in-database reads them.</source>
            <translation>已预先计算保留的份额，用时 {0:.1f} 秒：balance --in-database 将直接读取。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/commands.py"/>
            <source>--in-database needs PostGIS sources (PG:…|layername=schema.table), not {0}</source>
            <translation>--in-database 需要 PostGIS 数据源（PG:…|layername=模式.表），而不是 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/connection.py"/>
            <source>The PostgreSQL driver psycopg2 is not installed in QGIS's Python. Debian/Ubuntu: sudo apt install python3-psycopg2; Windows (OSGeo4W): it ships with QGIS; elsewhere: python -m pip install psycopg2-binary.</source>
            <translation>QGIS 的 Python 中未安装 PostgreSQL 驱动 psycopg2。Debian/Ubuntu：sudo apt install python3-psycopg2；Windows（OSGeo4W）：随 QGIS 附带；其他系统：python -m pip install psycopg2-binary。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/connection.py"/>
            <source>QGIS's auth manager has no usable configuration {0}</source>
            <translation>QGIS 认证管理器中没有可用的配置 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/connection.py"/>
            <source>No table in the database source {0}: add |layername=schema.table</source>
            <translation>数据库数据源 {0} 未指定表：请加上 |layername=模式.表</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/connection.py"/>
            <source>authcfg={0} needs QGIS's auth manager; outside QGIS use a pg_service.conf service.</source>
            <translation>authcfg={0} 需要 QGIS 的认证管理器；在 QGIS 之外请使用 pg_service.conf 服务。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/connection.py"/>
            <source>Cannot connect to the database {0}: {1}</source>
            <translation>无法连接数据库 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/layers.py"/>
            <source>Computing inside the database needs PostGIS layers (QGIS's PostgreSQL provider or PG: sources); {0} is not one: {1}</source>
            <translation>在数据库内计算需要 PostGIS 图层（QGIS 的 PostgreSQL 数据提供者或 PG: 数据源）；{0} 不是：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/layers.py"/>
            <source>The layer {0} has unsaved edits, which the database does not see: save them first</source>
            <translation>图层 {0} 有未保存的编辑，数据库看不到它们：请先保存</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/layers.py"/>
            <source>The layer {0} has a filter ({1}), which the balance inside the database would not apply: remove it or compute without the database</source>
            <translation>图层 {0} 设有筛选条件（{1}），数据库内计算不会应用它：请移除筛选，或不在数据库内计算</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/layers.py"/>
            <source>Computing inside the database needs all layers in one database: {0} is in {1}, the parcels in {2}</source>
            <translation>在数据库内计算需要所有图层位于同一数据库：{0} 位于 {1}，地块位于 {2}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <source>The units have no DYBH field; name it with --unit-field</source>
            <translation>整治单元没有 DYBH 字段；请用 --unit-field 指定</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <source>Cannot open {0}</source>
            <translation>无法打开 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <source>No layer {0} in {1}</source>
            <translation>{1} 中没有图层 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit code {0} is used by {1} features</source>
            <translation>整治单元编号 {0} 被 {1} 个要素重复使用</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <source>Filling the kept shares of {0} for balance --in-database (every parcel's share of the units and PBF: minutes for a county) …</source>
            <translation>正在为 balance --in-database 预先计算 {0} 的保留份额（每个图斑在单元和永久基本农田中的份额：一个县需数分钟）…</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit feature {0} has no code (DYBH)</source>
            <translation>整治单元要素 {0} 没有编号（DYBH）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <source>Could not load {0}: {1}</source>
            <translation>无法载入 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <source>The units have no field {0} (--unit-field)</source>
            <translation>整治单元图层没有字段 {0}（--unit-field）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/load.py"/>
            <source>The schema {0} is not initialised (or is older): run db init first</source>
            <translation>模式 {0} 尚未初始化（或版本较旧）：请先运行 db init</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/plan_edits.py"/>
            <source>Parcel {0} was changed by {1} ({2}) at {3}; your change was not saved and is kept for you to check.</source>
            <translation>图斑 {0} 已由 {1}（{2}）于 {3} 修改；您的修改未保存，已保留供您核对。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/plan_edits.py"/>
            <source>Parcel {0} is being edited in a transaction not yet saved (another planner's, or yours under QGIS's transaction groups): nothing was saved; save those edits first, then try again.</source>
            <translation>图斑 {0} 正在一个尚未保存的事务中被编辑（其他规划人员的，或您在 QGIS 事务组下的编辑）：未保存任何内容；请先保存那些编辑，然后重试。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/reload_guard.py"/>
            <source>{0} holds the planners' work since its last load, which this load would replace: {1}. Nothing was written. To load and replace it, run db load again with --replace-plan (the history table keeps the replaced rows).</source>
            <translation>{0} 中有规划人员自上次载入以来的工作，本次载入会替换它们：{1}。未写入任何内容。如要载入并替换，请加 --replace-plan 重新运行 db load（history 表保留被替换的记录）。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/reload_guard.py"/>
            <source>{0}, by {1}, last at {2}</source>
            <translation>{0}，修改人 {1}，最近一次于 {2}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/reload_guard.py"/>
            <source>Replaced the planners' work since the last load: {0} (the history table keeps the old rows).</source>
            <translation>已替换规划人员自上次载入以来的工作：{0}（history 表保留原记录）。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/reload_guard.py"/>
            <source>The {0} unit(s) the planners drew or changed are kept: a load without --units does not touch plan_unit.</source>
            <translation>规划人员绘制或修改的 {0} 个整治单元保留不变：不带 --units 的载入不改动 plan_unit。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/reload_guard.py"/>
            <source> and {0} more</source>
            <translation> 等另外 {0} 人</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/reload_guard.py"/>
            <source>{0} parcel(s) tagged</source>
            <translation>已标注图斑 {0} 个</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/reload_guard.py"/>
            <source>{0} piece(s) of split parcels</source>
            <translation>分割图斑的碎块 {0} 个</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/reload_guard.py"/>
            <source>{0} unit(s) drawn or changed</source>
            <translation>绘制或修改的整治单元 {0} 个</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/schema.py"/>
            <source>PostGIS is not enabled in this database: ask its administrator to run CREATE EXTENSION postgis</source>
            <translation>此数据库未启用 PostGIS：请数据库管理员运行 CREATE EXTENSION postgis</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/schema.py"/>
            <source>Could not create the planning schema {0}: {1}</source>
            <translation>无法创建规划模式 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/status.py"/>
            <source>Unit {0} is being edited in a transaction not yet saved (your edits under QGIS's transaction groups, or another planner's): save the units layer's edits first, then change its status.</source>
            <translation>整治单元 {0} 正在一个尚未保存的事务中被编辑（您在 QGIS 事务组下的编辑，或其他规划人员的）：请先保存整治单元图层的编辑，再更改其状态。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/status.py"/>
            <source>Unit {0} was changed to {1} by {2} at {3} after you read it; your change to {4} was not saved: read the units again.</source>
            <translation>单元 {0} 在您读取后已被 {2} 于 {3} 改为 {1}；您改为 {4} 的修改未保存：请重新读取整治单元。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/status.py"/>
            <source>The status of unit {0} could not be changed in the database (no such unit, or its status is no longer {1}).</source>
            <translation>无法在数据库中更改单元 {0} 的状态（没有该单元，或其状态已不再是 {1}）。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/postgis/status.py"/>
            <source>The database refused the status change of unit {0}: {1}</source>
            <translation>数据库拒绝了单元 {0} 的状态变更：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>By status</source>
            <translation>按状态汇总</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>By unit</source>
            <translation>按单元</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Acceptance</source>
            <translation>验收比对</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Status history</source>
            <translation>状态变更记录</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Units</source>
            <translation>单元</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Area (mu)</source>
            <translation>面积（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Planned (mu)</source>
            <translation>规划（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Achieved (mu)</source>
            <translation>实际完成（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Units checked</source>
            <translation>已比对单元数</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Area (m²)</source>
            <translation>面积（m²）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Planned (m²)</source>
            <translation>规划（m²）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Achieved (m²)</source>
            <translation>实际完成（m²）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/balance_files.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <location filename="../plugin/gui/checks_panel.py"/>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Unit</source>
            <translation>整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Since</source>
            <translation>起始时间</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/adapters/unit_map_layers.py"/>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Remediation type</source>
            <translation>整治类型</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Class after</source>
            <translation>整治后地类</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Shortfall (mu)</source>
            <translation>缺口（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Achieved share</source>
            <translation>完成比例</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Result</source>
            <translation>结论</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Shortfall (m²)</source>
            <translation>缺口（m²）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>From</source>
            <translation>原状态</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>To</source>
            <translation>新状态</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>When</source>
            <translation>时间</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Who</source>
            <translation>操作人</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Complete</source>
            <translation>已完成</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/progress_xlsx.py"/>
            <source>Shortfall</source>
            <translation>未完成</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_contiguity.py"/>
            <source>Layer</source>
            <translation>图层</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_contiguity.py"/>
            <location filename="../plugin/gui/contiguity_table.py"/>
            <source>Patches</source>
            <translation>连片数</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_contiguity.py"/>
            <source>Total (mu)</source>
            <translation>总面积（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_contiguity.py"/>
            <source>Mean (mu)</source>
            <translation>平均面积（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_contiguity.py"/>
            <source>Largest (mu)</source>
            <translation>最大连片（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_contiguity.py"/>
            <source>Contiguity of farmland (patches and blocks)</source>
            <translation>耕地集中连片情况</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_contiguity.py"/>
            <source>{0}: count</source>
            <translation>{0}个数</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_contiguity.py"/>
            <source>{0}: area (mu)</source>
            <translation>{0}面积（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_tables.py"/>
            <source>Category</source>
            <translation>三大类</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_tables.py"/>
            <source>Group</source>
            <translation>一级类</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/core/report.py"/>
            <source>Class code</source>
            <translation>地类编码</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_tables.py"/>
            <source>Class</source>
            <translation>二级类</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>Before (ha)</source>
            <translation>整治前面积（公顷）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>After (ha)</source>
            <translation>整治后面积（公顷）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>Change (ha)</source>
            <translation>变化量（公顷）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>Before (mu)</source>
            <translation>整治前面积（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>After (mu)</source>
            <translation>整治后面积（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>Change (mu)</source>
            <translation>变化量（亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Indicator</source>
            <translation>指标</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Value</source>
            <translation>指标值</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/core/report.py"/>
            <source>Unit of value</source>
            <translation>单位</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Requirement</source>
            <translation>要求</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Severity</source>
            <translation>级别</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/core/report.py"/>
            <source>Source</source>
            <translation>依据</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Level</source>
            <translation>层级</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/cli/contiguity.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/balance_files.py"/>
            <location filename="../plugin/gui/contiguity_table.py"/>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Whole project</source>
            <translation>全项目</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>Land-use structure before and after consolidation: whole project</source>
            <translation>全项目整治前后土地利用结构调整表</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <location filename="../plugin/core/report.py"/>
            <source>Total</source>
            <translation>合计</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>Writing XLSX needs the Python package openpyxl, which is not installed. Install it (pip install openpyxl, or the OSGeo4W/apt package python3-openpyxl) or write CSV instead.</source>
            <translation>写出 XLSX 需要 Python 包 openpyxl，但尚未安装。请安装（pip install openpyxl，或 OSGeo4W/apt 软件包 python3-openpyxl），或改为输出 CSV。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/report_xlsx.py"/>
            <source>Land-use structure before and after consolidation: unit {0}</source>
            <translation>整治单元 {0} 整治前后土地利用结构调整表</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/sources.py"/>
            <source>Cannot tell the text encoding of {0} (it has no .cpg file): give it with --encoding (e.g. GBK), or in QGIS in the layer properties (Source, data source encoding).</source>
            <translation>无法判断 {0} 的文字编码（没有 .cpg 文件）：请用 --encoding 指定（如 GBK），或在 QGIS 图层属性（源，数据源编码）中设置。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/sources.py"/>
            <source>The GeoPackage {0} is damaged and cannot be read ({1}). Restore it from a backup, or copy what is readable into a new file (QGIS: Export &gt; Save Features As…); nothing was computed.</source>
            <translation>GeoPackage {0} 已损坏，无法读取（{1}）。请从备份恢复，或将可读取的部分复制到新文件（QGIS：导出 &gt; 要素另存为…）；未进行任何计算。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/sources.py"/>
            <location filename="../plugin/demo/project.py"/>
            <source>Cannot open the {0} layer: {1}</source>
            <translation>无法打开{0}图层：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/sources.py"/>
            <source>The {0} layer is not a polygon layer: {1}</source>
            <translation>{0}图层不是面图层：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/sources.py"/>
            <source>Unknown text encoding {0}; use e.g. GBK, GB18030 or UTF-8.</source>
            <translation>未知的文字编码 {0}；请使用 GBK、GB18030 或 UTF-8 等。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/styles.py"/>
            <source>Untagged (class unchanged)</source>
            <translation>未标注（地类不变）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/suggestions.py"/>
            <source>Apply suggestions</source>
            <translation>应用达标建议</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_layers.py"/>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>ha</source>
            <translation>公顷</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_layers.py"/>
            <source>Other parcels</source>
            <translation>其他图斑</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_layers.py"/>
            <source>Other remediation units</source>
            <translation>其他整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_layers.py"/>
            <source>Remediation unit boundary</source>
            <translation>整治单元边界</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>Land-use structure before and after consolidation</source>
            <translation>整治前后土地利用结构调整表</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>m</source>
            <translation>米</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>Legend</source>
            <translation>图例</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>mu</source>
            <translation>亩</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Land class</source>
            <translation>地类</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Before</source>
            <translation>整治前</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>After</source>
            <translation>整治后</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Change</source>
            <translation>变化</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>Not assessable: the input data did not pass validation</source>
            <translation>不可评估：输入数据未通过校验</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>Contiguity of farmland</source>
            <translation>耕地集中连片情况</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>Not planned: no parcel of this unit is tagged yet</source>
            <translation>未规划：本单元尚无已标注的图斑</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>Scale 1:{0}</source>
            <translation>比例尺 1:{0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Area unit</source>
            <translation>面积单位</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>{code} {name} consolidation plan map</source>
            <translation>{code} {name} 整治规划图</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>Unit passes every binding indicator</source>
            <translation>本单元约束性指标全部达标</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>Unit fails a binding indicator</source>
            <translation>本单元有约束性指标不达标</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>No binding indicator applies</source>
            <translation>无适用的约束性指标</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>{count} patches, largest {largest} mu</source>
            <translation>连片 {count} 个，最大连片 {largest} 亩</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_map_page.py"/>
            <source>{block}: {count} ({area} mu)</source>
            <translation>{block} {count} 个（{area} 亩）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_maps.py"/>
            <source>Rule pack: {pack} ({version})   Date: {date}   Plugin version: {plugin}   Coordinate reference system: {crs}</source>
            <translation>规则包：{pack}（{version}）　　日期：{date}　　插件版本：{plugin}　　坐标系：{crs}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_maps.py"/>
            <source>For one map per unit, the output must be a folder: {0}</source>
            <translation>每个单元一幅图时，输出须为文件夹：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_maps.py"/>
            <source>Unknown map format {0}: use pdf or png.</source>
            <translation>未知的图件格式 {0}：请用 pdf 或 png。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_maps.py"/>
            <source>Unit maps</source>
            <translation>整治单元图</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_maps.py"/>
            <source>Cannot write the map {0}: {1}</source>
            <translation>无法写出图件 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/unit_maps.py"/>
            <source>Map export cancelled.</source>
            <translation>已取消图件输出。</translation>
        </message>
        <message>
            <location filename="../plugin/cli/app.py"/>
            <source>Land consolidation balance tools</source>
            <translation>全域土地综合整治面积平衡工具</translation>
        </message>
        <message>
            <location filename="../plugin/cli/balance.py"/>
            <source>area balance and indicators per unit -&gt; GeoPackage tables</source>
            <translation>按单元计算面积平衡和指标 -&gt; GeoPackage 表</translation>
        </message>
        <message>
            <location filename="../plugin/cli/balance.py"/>
            <source>output GeoPackage</source>
            <translation>输出 GeoPackage</translation>
        </message>
        <message>
            <location filename="../plugin/cli/balance.py"/>
            <location filename="../plugin/cli/export.py"/>
            <source>replace existing output files</source>
            <translation>覆盖已存在的输出文件</translation>
        </message>
        <message>
            <location filename="../plugin/cli/check.py"/>
            <source>data checks (数据检查) of the plan -&gt; GeoPackage layer 'findings'</source>
            <translation>方案的数据检查 -&gt; GeoPackage 图层 'findings'</translation>
        </message>
        <message>
            <location filename="../plugin/cli/check.py"/>
            <source>output GeoPackage (layer 'findings')</source>
            <translation>输出 GeoPackage（图层 'findings'）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/check.py"/>
            <source>Findings — errors: {0}, warnings: {1}, notes: {2}</source>
            <translation>检查结果：错误 {0} 个，警告 {1} 个，提示 {2} 个</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>ecological red line</source>
            <translation>生态保护红线</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>project boundary</source>
            <translation>项目范围</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>achieved layer</source>
            <translation>实施结果图层</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>ecological protection red line source (optional)</source>
            <translation>生态保护红线数据源（可选）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>urban growth boundary source (optional)</source>
            <translation>城镇开发边界数据源（可选）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>project boundary source (optional)</source>
            <translation>项目范围数据源（可选）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <location filename="../plugin/cli/db.py"/>
            <source>parcel (三调 DLTB) source, e.g. file.gpkg|layername=DLTB</source>
            <translation>图斑（三调 DLTB）数据源，例如 file.gpkg|layername=DLTB</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <location filename="../plugin/cli/db.py"/>
            <source>remediation units source</source>
            <translation>整治单元数据源</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <location filename="../plugin/cli/db.py"/>
            <source>permanent basic farmland source (optional)</source>
            <translation>永久基本农田数据源（可选）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>rule pack id or JSON file (default: national)</source>
            <translation>规则包编号或 JSON 文件（默认：national 国家通用）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <location filename="../plugin/cli/db.py"/>
            <source>unit code field (default: DYBH)</source>
            <translation>单元编号字段（默认：DYBH）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>TBMJ, KCMJ, TBDLMJ are in mu, not m²</source>
            <translation>TBMJ、KCMJ、TBDLMJ 的单位是亩而不是平方米</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>text encoding of shapefile sources, e.g. GBK (QGIS: data source encoding); default: the .cpg file, else detected</source>
            <translation>Shapefile 数据源的文字编码，如 GBK（QGIS：数据源编码）；默认：按 .cpg 文件，否则自动识别</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>urban growth boundary source (optional; for the township rule on PBF inside it)</source>
            <translation>城镇开发边界数据源（可选；用于城镇开发边界内永久基本农田的乡镇规则）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>Error: {0}</source>
            <translation>错误：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <location filename="../plugin/core/report.py"/>
            <source>Warning: {0}</source>
            <translation>警告：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <location filename="../plugin/cli/demo.py"/>
            <location filename="../plugin/cli/lifecycle.py"/>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Written: {0}</source>
            <translation>已写出：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/cli/common.py"/>
            <source>{0} exists already; choose another name, or give --overwrite to replace it.</source>
            <translation>{0} 已存在；请换一个文件名，或加上 --overwrite 覆盖它。</translation>
        </message>
        <message>
            <location filename="../plugin/cli/contiguity.py"/>
            <source>集中连片: farmland and PBF patches and 百亩方/千亩方/万亩方 blocks</source>
            <translation>集中连片：耕地与永久基本农田连片及百亩方/千亩方/万亩方</translation>
        </message>
        <message>
            <location filename="../plugin/cli/contiguity.py"/>
            <location filename="../plugin/cli/report.py"/>
            <source>only these units (codes, e.g. ZZDY-001 ZZDY-004)</source>
            <translation>仅这些整治单元（编号，如 ZZDY-001 ZZDY-004）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/contiguity.py"/>
            <source>gap tolerance in metres (default: the rule pack's, 5 m in the bundled packs)</source>
            <translation>连片间距容差（米；默认取规则包的值，内置规则包为5米）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/contiguity.py"/>
            <source>also write the patches layer and table to this GeoPackage</source>
            <translation>同时将连片图层和统计表写入此 GeoPackage</translation>
        </message>
        <message>
            <location filename="../plugin/cli/contiguity.py"/>
            <source>--gap must be 0 or more metres.</source>
            <translation>--gap 须为0米或以上。</translation>
        </message>
        <message>
            <location filename="../plugin/cli/contiguity.py"/>
            <location filename="../plugin/gui/contiguity_table.py"/>
            <location filename="../plugin/processing/algorithms/contiguity.py"/>
            <source>Gap tolerance: {0} m</source>
            <translation>连片间距容差：{0} 米</translation>
        </message>
        <message>
            <location filename="../plugin/cli/db.py"/>
            <source>database: service=NAME (pg_service.conf), libpq keywords, postgresql://… or PG:…; keep the password in pg_service.conf or ~/.pgpass</source>
            <translation>数据库：service=名称（pg_service.conf）、libpq 参数、postgresql://… 或 PG:…；密码请保存在 pg_service.conf 或 ~/.pgpass 中</translation>
        </message>
        <message>
            <location filename="../plugin/cli/db.py"/>
            <source>planning schema (default: land_consolidation)</source>
            <translation>规划模式（默认：land_consolidation）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/db.py"/>
            <source>the planning schema in a PostgreSQL/PostGIS database</source>
            <translation>PostgreSQL/PostGIS 数据库中的规划模式</translation>
        </message>
        <message>
            <location filename="../plugin/cli/db.py"/>
            <source>create or upgrade the planning schema (versioned, idempotent)</source>
            <translation>创建或升级规划模式（有版本、可重复运行）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/db.py"/>
            <source>load a DLTB source (and units, PBF) into the planning schema</source>
            <translation>将地类图斑数据源（及整治单元、永久基本农田）载入规划模式</translation>
        </message>
        <message>
            <location filename="../plugin/cli/db.py"/>
            <source>replace the planners' work since the last load (parcels tagged, pieces, and with --units the units); without it such a load is refused (history keeps the old rows)</source>
            <translation>替换规划人员自上次载入以来的工作（已标注的图斑、碎块，带 --units 时还有整治单元）；不加此选项时这样的载入会被拒绝（history 保留原记录）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/db.py"/>
            <source>PostGIS sources: compute the balance with SQL in the database (only sums leave it)</source>
            <translation>PostGIS 数据源：在数据库中用 SQL 计算平衡（只有汇总结果离开数据库）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/demo.py"/>
            <source>build the demo township, compute its balance and export the plan</source>
            <translation>生成示例乡镇，计算面积平衡并导出规划成果</translation>
        </message>
        <message>
            <location filename="../plugin/cli/demo.py"/>
            <source>folder for the demo files (default: demo_output)</source>
            <translation>示例文件目录（默认：demo_output）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/demo.py"/>
            <source>number of parcels (default: 3500)</source>
            <translation>图斑数量（默认：3500）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/demo.py"/>
            <source>make the demo data again even if present</source>
            <translation>即使已存在也重新生成示例数据</translation>
        </message>
        <message>
            <location filename="../plugin/cli/demo.py"/>
            <source>Planning project for QGIS (layers, styles, plugin set-up): {0}</source>
            <translation>QGIS 规划工程（图层、样式、插件设置）：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/cli/demo.py"/>
            <source>Demo data: {0} ({1} parcels, {2} units)</source>
            <translation>示例数据：{0}（{1} 个图斑，{2} 个整治单元）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/export.py"/>
            <source>plan GeoPackage: units, clipped parcels, balance, styles, QGIS project</source>
            <translation>导出方案 GeoPackage：整治单元、裁切后的图斑、面积平衡表、样式和 QGIS 工程</translation>
        </message>
        <message>
            <location filename="../plugin/cli/export.py"/>
            <source>export only these units (codes, e.g. ZZDY-001 ZZDY-004)</source>
            <translation>只导出这些整治单元（填写编号，如 ZZDY-001 ZZDY-004）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/export.py"/>
            <source>one GeoPackage per unit: --out is a folder, files are named &lt;DYBH&gt;.gpkg</source>
            <translation>每个整治单元一个 GeoPackage：--out 为文件夹，文件名为 &lt;DYBH&gt;.gpkg</translation>
        </message>
        <message>
            <location filename="../plugin/cli/export.py"/>
            <source>plan title stored in the metadata</source>
            <translation>写入元数据的方案名称</translation>
        </message>
        <message>
            <location filename="../plugin/cli/export.py"/>
            <source>planner's name stored in the metadata (default: QGIS user)</source>
            <translation>写入元数据的编制人姓名（默认：QGIS 用户名）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/export.py"/>
            <source>output GeoPackage (or folder with --per-unit)</source>
            <translation>输出 GeoPackage 文件（使用 --per-unit 时为文件夹）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>achieved layer: completed works or a later survey (年度变更调查) source</source>
            <translation>实施结果图层：竣工图斑或后续调查（年度变更调查）的数据源</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>land-class field of the achieved layer (default: DLBM)</source>
            <translation>实施结果图层的地类字段（默认：DLBM）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>move a unit along its life cycle (guarded; writes the units source)</source>
            <translation>推进整治单元状态（含校验；写入整治单元数据源）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>unit code</source>
            <translation>单元编号</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>new status: 储备 立项 实施 验收 备案, or reserve approved works accepted filed</source>
            <translation>新状态：储备 立项 实施 验收 备案，或 reserve approved works accepted filed</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>reason (needed to go back)</source>
            <translation>原因（退回时必填）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>acceptance check: planned vs achieved per unit, type and class</source>
            <translation>验收比对：按单元、整治类型和地类比较规划与实际完成</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>unit code (repeat for several; default all)</source>
            <translation>单元编号（可重复指定多个；默认全部）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>output GeoPackage (table 'acceptance'; optional)</source>
            <translation>输出 GeoPackage（表 acceptance；可选）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>project progress report (units and areas by status) -&gt; XLSX</source>
            <translation>项目进度报告（按状态的单元数和面积）-&gt; XLSX</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>output workbook (.xlsx)</source>
            <translation>输出工作簿（.xlsx）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Unit {0}: {1} → {2} ({3}, {4})</source>
            <translation>单元 {0}：{1} → {2}（{3}，{4}）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>History: {0}</source>
            <translation>状态变更记录：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Acceptance: {0} rows, {1} short</source>
            <translation>验收比对：{0} 行，{1} 行未完成</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>{0} is not a status (allowed: {1})</source>
            <translation>{0} 不是有效状态（可用：{1}）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <location filename="../plugin/gui/progress_chart.py"/>
            <source>{0}: {1} units, area {2} mu, planned {3} mu, achieved {4} mu</source>
            <translation>{0}：{1} 个单元，面积 {2} 亩，规划 {3} 亩，实际完成 {4} 亩</translation>
        </message>
        <message>
            <location filename="../plugin/cli/lifecycle.py"/>
            <source>planned {0} mu, achieved {1} mu, short {2} mu ({3} m²)</source>
            <translation>规划 {0} 亩，实际完成 {1} 亩，缺口 {2} 亩（{3} m²）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/report.py"/>
            <source>Give --out (XLSX) and/or --csv / --indicators-csv / --maps.</source>
            <translation>请给出 --out（XLSX）和／或 --csv、--indicators-csv、--maps。</translation>
        </message>
        <message>
            <location filename="../plugin/cli/report.py"/>
            <source>structure table (整治前后土地利用结构调整表) and indicators -&gt; XLSX/CSV</source>
            <translation>整治前后土地利用结构调整表和指标表 -&gt; XLSX/CSV</translation>
        </message>
        <message>
            <location filename="../plugin/cli/report.py"/>
            <source>output workbook (.xlsx): 全项目 sheet and one sheet per unit</source>
            <translation>输出工作簿（.xlsx）：全项目工作表及每个整治单元一张工作表</translation>
        </message>
        <message>
            <location filename="../plugin/cli/report.py"/>
            <source>also write the structure table as CSV (UTF-8)</source>
            <translation>同时将结构调整表写为 CSV（UTF-8）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/report.py"/>
            <source>also write the indicator table as CSV (UTF-8)</source>
            <translation>同时将指标表写为 CSV（UTF-8）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/report.py"/>
            <source>also write an A3 plan map of each unit as PDF into this folder</source>
            <translation>另为每个整治单元输出一幅 A3 规划图（PDF）到此文件夹</translation>
        </message>
        <message>
            <location filename="../plugin/cli/report.py"/>
            <source>English headers and land-class names</source>
            <translation>使用英文表头和地类名称</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <source>Warning: no ecological red line given (--redline): parcels in it may be suggested</source>
            <translation>警告：未提供生态保护红线（--redline），建议中可能含有红线内的图斑</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <source>parcels to tag so that a failing unit passes -&gt; layer 'suggestions'</source>
            <translation>达标建议：标注哪些图斑可使不达标单元达标 -&gt; 图层 suggestions</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <source>code (DYBH) of the unit</source>
            <translation>整治单元编号（DYBH）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <source>rule id to reach (default: the unit's first failing rule)</source>
            <translation>要达到的规则编号（默认：单元第一个不达标的规则）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <source>output GeoPackage (layer 'suggestions')</source>
            <translation>输出 GeoPackage（图层 suggestions）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <location filename="../plugin/core/report.py"/>
            <source>n/a</source>
            <translation>不适用</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <source>Unit {0}: {1} is {2} (required {3})</source>
            <translation>整治单元 {0}：{1}为 {2}（要求 {3}）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <source>Tag {0} parcels ({1} mu, {2} m²): {3} becomes {4}{5}</source>
            <translation>标注 {0} 个图斑（{1} 亩，{2} 平方米）后，{3}为 {4}{5}</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Unit {0} fails no rule: nothing to suggest.</source>
            <translation>整治单元 {0} 各项规则均达标，无需建议。</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>No plan reaches it with the allowed moves; the most the candidates reach together: {0}</source>
            <translation>在允许的整治方式下没有方案能够达标；全部候选图斑合计最多可达 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>(greedy plan: the exact optimum breaks another rule)</source>
            <translation>（贪心方案：精确最优解会使其他规则不达标）</translation>
        </message>
        <message>
            <location filename="../plugin/cli/suggest.py"/>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>The rule pack has no rule {0} for units</source>
            <translation>规则包中没有适用于整治单元的规则 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/acceptance.py"/>
            <source>{0} → {1}: achieved {2} of {3} m² ({4}), short {5} m² ({6} mu)</source>
            <translation>{0} → {1}：规划 {3} m²，实际完成 {2} m²（{4}），缺口 {5} m²（{6} 亩）</translation>
        </message>
        <message>
            <location filename="../plugin/core/aggregated.py"/>
            <location filename="../plugin/core/engine/results.py"/>
            <source>Unknown land-class codes, counted as 'unknown': {0}</source>
            <translation>未知的地类编码，按“未知”统计：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/aggregated.py"/>
            <location filename="../plugin/core/engine/results.py"/>
            <source>{0} parcels have no usable geometry and belong to no unit</source>
            <translation>{0} 个图斑没有可用的几何图形，不属于任何整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Permanent basic farmland moved out ({0} m²) exceeds that brought in ({1} m²) by {2} m²</source>
            <translation>永久基本农田调出面积（{0} m²）比调入面积（{1} m²）多 {2} m²</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcels of different land classes ({0}) were merged into one feature: the class before of all but one is lost; undo the merge or split the feature again</source>
            <translation>不同地类（{0}）的图斑被合并为一个要素：除一个外其余图斑的整治前地类将丢失；请撤销合并或重新分割该要素</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit {0} has no geometry</source>
            <translation>整治单元 {0} 没有几何图形</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit {0} has an invalid geometry: {1}</source>
            <translation>整治单元 {0} 的几何图形无效：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit {0} has no area</source>
            <translation>整治单元 {0} 面积为零</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: unknown remediation type {1}</source>
            <translation>图斑 {0}：未知的整治类型 {1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: new construction on {1} m² inside the ecological red line</source>
            <translation>图斑 {0}：在生态保护红线内新增建设 {1} m²</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>The farmland brought into PBF has no quality grade (GDDB); the PBF moved out has mean grade {0}</source>
            <translation>调入永久基本农田的耕地没有质量等别（GDDB）；调出永久基本农田的平均等别为 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Units {0} and {1} overlap by {2} m²</source>
            <translation>整治单元 {0} 与 {1} 重叠 {2} m²</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit {0} extends {1} m² beyond the project boundary</source>
            <translation>整治单元 {0} 超出项目范围 {1} m²</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: remediation type {1} does not produce land class {2} (allowed: {3})</source>
            <translation>图斑 {0}：整治类型 {1} 不应形成地类 {2}（允许：{3}）</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: new construction on {1} m² of permanent basic farmland</source>
            <translation>图斑 {0}：占用永久基本农田新增建设 {1} m²</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: new construction on {1} m² outside the urban growth boundary</source>
            <translation>图斑 {0}：在城镇开发边界外新增建设 {1} m²</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>The PBF brought in is of lower quality (mean GDDB grade {0}) than the PBF moved out (mean grade {1}); grade 1 is best</source>
            <translation>调入的永久基本农田质量（平均耕地等别 {0}）低于调出的永久基本农田（平均等别 {1}）；1 等最好</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: remediation type {1} does not apply to land class {2} before (allowed: {3}). {4}</source>
            <translation>图斑 {0}：整治类型 {1} 不适用于整治前地类 {2}（允许：{3}）。{4}</translation>
        </message>
        <message>
            <location filename="../plugin/core/contiguity_report.py"/>
            <source>{0}: {1} patches, {2:.1f} mu; mean {3:.1f} mu, largest {4:.1f} mu. {5}</source>
            <translation>{0}：{1} 片，共 {2:.1f} 亩；平均 {3:.1f} 亩，最大 {4:.1f} 亩。{5}</translation>
        </message>
        <message>
            <location filename="../plugin/core/contiguity_report.py"/>
            <source>{0}: {1} ({2:.1f} mu)</source>
            <translation>{0}：{1} 个（{2:.1f} 亩）</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Duplicate BSM</source>
            <translation>标识码重复</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>TBMJ vs area</source>
            <translation>图斑面积不符</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>TBMJ missing</source>
            <translation>缺少图斑面积</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Invalid geometry</source>
            <translation>几何无效</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Parcel overlap</source>
            <translation>图斑重叠</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Gap in unit</source>
            <translation>单元内缝隙</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Sliver</source>
            <translation>碎片图斑</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Unknown land class</source>
            <translation>未知地类</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Ridges off farmland</source>
            <translation>非耕地扣除田坎</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Ridges without class</source>
            <translation>扣除地类缺失</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Ridges on flat land</source>
            <translation>平地田坎系数</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Empty unit</source>
            <translation>单元为空</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Invalid unit</source>
            <translation>单元几何无效</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Unit without code</source>
            <translation>单元缺编号</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Duplicate unit code</source>
            <translation>单元编号重复</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Units overlap</source>
            <translation>单元重叠</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Unit outside boundary</source>
            <translation>单元超出项目范围</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Construction in PBF</source>
            <translation>永农内新增建设</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Construction in red line</source>
            <translation>红线内新增建设</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Construction outside UGB</source>
            <translation>开发边界外新增建设</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>PBF in &lt; out</source>
            <translation>永农调入少于调出</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>PBF quality worse</source>
            <translation>永农质量下降</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>PBF quality unknown</source>
            <translation>永农质量未知</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Type vs class after</source>
            <translation>类型与整治后地类不符</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Type vs class before</source>
            <translation>类型与整治前地类不符</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Unknown type</source>
            <translation>未知整治类型</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Error</source>
            <translation>错误</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Warning</source>
            <translation>警告</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_common.py"/>
            <source>Note</source>
            <translation>提示</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_groups.py"/>
            <source>Parcel {0}: TBMJ {1} m² differs from its ellipsoidal area {2} m² by {3} m² ({4} %)</source>
            <translation>图斑 {0}：图斑面积 {1} 平方米与椭球面积 {2} 平方米相差 {3} 平方米（{4}%）</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_groups.py"/>
            <source>Parcel {0}: identical copy of parcel {1} (BSM {2})</source>
            <translation>图斑 {0}：与图斑 {1} 完全重复（标识码 {2}）</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_groups.py"/>
            <source>Parcels {0} and {1} share BSM {2} and overlap by {3} m²: not a split</source>
            <translation>图斑 {0} 与 {1} 标识码同为 {2} 且重叠 {3} 平方米：不是分割</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_overlaps.py"/>
            <source>Parcels {0} and {1} overlap by {2} m²</source>
            <translation>图斑 {0} 与 {1} 重叠 {2} 平方米</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_overlaps.py"/>
            <source>Unit {0}: {1} m² covered by no parcel</source>
            <translation>整治单元 {0}：{1} 平方米未被任何图斑覆盖</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: geometry with parts that are not polygons; the balance uses its polygons</source>
            <translation>图斑 {0}：几何含有非面要素部分；面积平衡只使用其中的面</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: invalid geometry; the balance uses a repaired copy</source>
            <translation>图斑 {0}：几何无效；面积平衡使用修复后的图形</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>KCMJ {0} m²</source>
            <translation>扣除面积 {0} 平方米</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: unknown land class code {1}</source>
            <translation>图斑 {0}：未知地类编码 {1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: unknown land class after (GHDLBM) {1}</source>
            <translation>图斑 {0}：未知规划地类编码（GHDLBM）{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: no TBMJ; its area was measured on the ellipsoid</source>
            <translation>图斑 {0}：缺少图斑面积（TBMJ），已按椭球面积量算</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: deduction {1} on land class {2}; only cultivated land (01xx) has a field-ridge deduction</source>
            <translation>图斑 {0}：地类 {2} 存在扣除（{1}）；只有耕地（01xx）才扣除田坎</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: deduction {1} but no deduction class (KCDLBM)</source>
            <translation>图斑 {0}：有扣除（{1}）但缺少扣除地类编码（KCDLBM）</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: slope grade GDPDJB 1 (≤ 2°) with KCXS {1}; on flat land the ridges are measured, KCXS must be 0</source>
            <translation>图斑 {0}：耕地坡度级别为 1 级（≤2°）但扣除系数为 {1}；平地田坎应实测，扣除系数须为 0</translation>
        </message>
        <message>
            <location filename="../plugin/core/datacheck_parcels.py"/>
            <source>Parcel {0}: sliver of {1} m² (thinness {2})</source>
            <translation>图斑 {0}：碎片图斑，面积 {1} 平方米（细长度 {2}）</translation>
        </message>
        <message>
            <location filename="../plugin/core/engine/results.py"/>
            <source>{0} survey parcels (BSM) are in several pieces (split); each piece counts with its share of TBMJ, KCMJ and TBDLMJ by area</source>
            <translation>{0} 个调查图斑（BSM）被分割为多块；每块按面积比例分摊 TBMJ、KCMJ 和 TBDLMJ</translation>
        </message>
        <message>
            <location filename="../plugin/core/engine/results.py"/>
            <source>{0} parcels have no TBMJ; their area was measured from the geometry</source>
            <translation>{0} 个图斑没有图斑面积（TBMJ），已按几何图形量算面积</translation>
        </message>
        <message>
            <location filename="../plugin/core/engine/results.py"/>
            <source>Feature ids used by different parcels: {0}; save the layer as a GeoPackage (which numbers its features) and use that.</source>
            <translation>不同图斑使用了相同的要素 ID：{0}；请将图层另存为 GeoPackage（会自动编号要素）后再使用。</translation>
        </message>
        <message>
            <location filename="../plugin/core/legacy_codes.py"/>
            <source>Second-survey (二调) code {0} {1} is not one-to-one: counted as {2}, may be {3}; check these parcels</source>
            <translation>二调地类 {0} {1} 与三调不是一一对应：按 {2} 计，也可能是 {3}；请核对这些图斑</translation>
        </message>
        <message>
            <location filename="../plugin/core/legacy_codes.py"/>
            <source>Second-survey (二调) codes read as their third-survey class (one-to-one, resources/land_class_erdiao.csv)</source>
            <translation>二调地类编码已按一一对应的三调地类读取（resources/land_class_erdiao.csv）</translation>
        </message>
        <message>
            <location filename="../plugin/core/legacy_codes.py"/>
            <source>working code {0} is not in the land-class table and is counted as unknown; it looks like a variant of {1} {2}: list it in resources/land_class_variants.csv to count it with {1}</source>
            <translation>工作编码 {0} 不在地类表中，按未知地类计；它像是 {1} {2} 的细化编码：在 resources/land_class_variants.csv 中登记后即按 {1} 计</translation>
        </message>
        <message>
            <location filename="../plugin/core/legacy_codes.py"/>
            <source>Second-survey (二调) code {0} {1} has no third-survey class and is counted as unknown: {2}</source>
            <translation>二调地类 {0} {1} 没有对应的三调地类，按未知地类计：{2}</translation>
        </message>
        <message>
            <location filename="../plugin/core/legacy_codes.py"/>
            <source>Second-survey (二调) code {0} {1} read as {2}</source>
            <translation>二调地类 {0} {1} 按三调 {2} 读取</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>Reserve</source>
            <translation>储备</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>Approved</source>
            <translation>立项</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>Under works</source>
            <translation>实施</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>Accepted</source>
            <translation>验收</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>Filed</source>
            <translation>备案</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>(none)</source>
            <translation>（无）</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>run the data checks first (立项 needs a unit without error-level findings)</source>
            <translation>请先运行数据检查（立项要求单元没有错误级问题）</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>run the acceptance check first (验收 compares the achieved layer with the plan)</source>
            <translation>请先进行验收比对（验收须将实施结果图层与规划比对）</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>Unit {0}: status not changed: {1}</source>
            <translation>单元 {0}：状态未变更：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>the current status {0} is not one of {1}; set it in the attribute table first</source>
            <translation>当前状态 {0} 不属于 {1}；请先在属性表中更正</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>it is already {0}</source>
            <translation>已经是{0}状态</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>no skipping: the next status after {0} is {1}</source>
            <translation>不能跳级：{0}之后的下一状态是{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>going back from {0} to {1} needs a reason</source>
            <translation>从{0}退回{1}须填写原因</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>error-level data checks fail for the unit: {0}</source>
            <translation>该单元存在错误级数据检查问题：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/lifecycle.py"/>
            <source>the acceptance check found shortfalls: {0}</source>
            <translation>验收比对发现未完成：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>NOT ASSESSABLE</source>
            <translation>不可评估</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Townships (PBF adjustment limits):</source>
            <translation>乡镇（永久基本农田调整限制）：</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>{0} ({1} m²)</source>
            <translation>{0}（{1} 平方米）</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>NOT ASSESSABLE (no verdict is given):</source>
            <translation>不可评估（不给出结论）：</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Comparison</source>
            <translation>比较方式</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Threshold</source>
            <translation>阈值</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>PASS</source>
            <translation>通过</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>FAIL</source>
            <translation>未通过</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/core/rule_schema.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/verdict.py"/>
            <source>{0}: {1}</source>
            <translation>{0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>{0} {1}: {2} (required {3})</source>
            <translation>{0} {1}：{2}（要求 {3}）</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Rule pack: {0}</source>
            <translation>规则包：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Unknown class</source>
            <translation>未知地类</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Township {0}: {1}</source>
            <translation>乡镇 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>The project's totals below; {0} of {1} units FAIL: {2} (each unit must keep the balances)</source>
            <translation>以下为全项目合计；{1} 个整治单元中有 {0} 个未通过：{2}（每个整治单元均须满足平衡要求）</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>{0}: before {1} mu ({2} m²), after {3} mu ({4} m²), change {5} mu</source>
            <translation>{0}：整治前 {1} 亩（{2} 平方米），整治后 {3} 亩（{4} 平方米），变化 {5} 亩</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>ratio</source>
            <translation>比率</translation>
        </message>
        <message>
            <location filename="../plugin/core/ridges.py"/>
            <location filename="../plugin/core/rule_schema.py"/>
            <location filename="../plugin/core/suggest_settings.py"/>
            <source>an object</source>
            <translation>一个对象</translation>
        </message>
        <message>
            <location filename="../plugin/core/ridges.py"/>
            <source>a slope grade 2–5 (grade 1 always takes 0)</source>
            <translation>坡度级别 2～5（1 级一律取 0）</translation>
        </message>
        <message>
            <location filename="../plugin/core/ridges.py"/>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>one of {0}</source>
            <translation>{0} 之一</translation>
        </message>
        <message>
            <location filename="../plugin/core/ridges.py"/>
            <source>a coefficient in [0, 1) or null (to be filled)</source>
            <translation>[0, 1) 之间的系数，或 null（待填写）</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>The rule pack file is not UTF-8; it was read as GBK (GB 18030).</source>
            <translation>规则包文件不是 UTF-8 编码，已按 GBK（GB 18030）读取。</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>null</source>
            <translation>空值 null</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>an object of categories</source>
            <translation>由类别组成的对象</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>an object of flows</source>
            <translation>由流向组成的对象</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>the file holds binary data, not JSON text</source>
            <translation>文件包含二进制数据，不是 JSON 文本</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>a list of blocks [ … ]</source>
            <translation>连片规模列表 [ … ]</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>a JSON object { … }</source>
            <translation>一个 JSON 对象 { … }</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>text</source>
            <translation>文本</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>a list of rules [ … ]</source>
            <translation>规则列表 [ … ]</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>the pack has no rules; at least one is needed</source>
            <translation>规则包中没有规则；至少需要一条</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>the file is neither UTF-8 nor GBK text; save it as UTF-8</source>
            <translation>文件既不是 UTF-8 也不是 GBK 文本；请另存为 UTF-8</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>true/false ({0})</source>
            <translation>布尔值（{0}）</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>the number {0}</source>
            <translation>数字 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>text "{0}"</source>
            <translation>文本“{0}”</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>a list of {0} items</source>
            <translation>含 {0} 项的列表</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>text or a list of texts</source>
            <translation>文本或文本列表</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>true or false</source>
            <translation>true 或 false</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>a finite number</source>
            <translation>有限数值</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>a number ≥ 0</source>
            <translation>不小于 0 的数</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <location filename="../plugin/core/suggest_settings.py"/>
            <source>a number &gt; 0</source>
            <translation>大于 0 的数</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>text or an object {"zh": …, "en": …}</source>
            <translation>文本或对象 {"zh": …, "en": …}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <location filename="../plugin/core/rules.py"/>
            <source>rule "{0}"</source>
            <translation>规则“{0}”</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>the file is larger than {0} MB; a rule pack is a small text file</source>
            <translation>文件大于 {0} MB；规则包应是小型文本文件</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>the JSON is nested {0} levels deep; at most {1} are allowed</source>
            <translation>JSON 嵌套 {0} 层；最多允许 {1} 层</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>expected {0}, found {1}</source>
            <translation>应为{0}，实际为{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>required, but missing</source>
            <translation>必填，但缺失</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>non-empty text</source>
            <translation>非空文本</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>(whole file)</source>
            <translation>（整个文件）</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>more than {0} entries</source>
            <translation>超过 {0} 项</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>{0} rules; at most {1} are allowed</source>
            <translation>{0} 条规则；最多允许 {1} 条</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>cannot read the file: {0}</source>
            <translation>无法读取文件：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>not valid JSON: {0} (line {1}, column {2})</source>
            <translation>不是有效的 JSON：{0}（第 {1} 行，第 {2} 列）</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>not valid JSON: {0}</source>
            <translation>不是有效的 JSON：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>a short name of letters, digits, _ . - (no path)</source>
            <translation>由字母、数字、_ . - 组成的简短名称（不能是路径）</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>… and {0} more problems</source>
            <translation>……另有 {0} 个问题</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>formula longer than {0} characters</source>
            <translation>公式超过 {0} 个字符</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>text longer than {0} characters</source>
            <translation>文本超过 {0} 个字符</translation>
        </message>
        <message>
            <location filename="../plugin/core/rule_schema.py"/>
            <source>the id "{0}" is used twice (also rules[{1}])</source>
            <translation>编号“{0}”重复使用（另见 rules[{1}]）</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Rule pack {0} cannot be used; fix these problems in the file:</source>
            <translation>规则包 {0} 无法使用；请在文件中修正以下问题：</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Rule pack {0} extends itself through {1}</source>
            <translation>规则包 {0} 通过 {1} 继承了自身（循环继承）</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Rule pack {0}: more than {1} packs extend each other</source>
            <translation>规则包 {0}：相互继承（extends）的规则包超过 {1} 个</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>A formula must be text, not {0}</source>
            <translation>公式必须是文本，而不是 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Formula longer than {0} characters</source>
            <translation>公式超过 {0} 个字符</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Formula has more than {0} terms</source>
            <translation>公式超过 {0} 项</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Rule pack not found: {0}</source>
            <translation>找不到规则包：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Rule pack {0} cannot be used: {1}</source>
            <translation>规则包 {0} 无法使用：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>rule {0} uses unknown variables: {1}</source>
            <translation>规则 {0} 使用了未知变量：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Formula is not valid arithmetic: {0}</source>
            <translation>公式不是有效的算术表达式：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>names unknown category {0}</source>
            <translation>引用了未知类别 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Formula holds a number that is too large: {0}</source>
            <translation>公式中的数字过大：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Formula may only use numbers, variables, + - * / ( ) and min, max, abs: {0}</source>
            <translation>公式只能使用数字、变量、+ - * / ( ) 以及 min、max、abs：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/selection.py"/>
            <source>No remediation unit has the code(s) {0}; the units are: {1}</source>
            <translation>没有编号为 {0} 的整治单元；现有单元：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/suggest_settings.py"/>
            <source>a list of {"type": …, "to": …}</source>
            <translation>由 {"type": …, "to": …} 组成的列表</translation>
        </message>
        <message>
            <location filename="../plugin/core/suggest_settings.py"/>
            <source>a list of {0}</source>
            <translation>由 {0} 组成的列表</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>the coordinates fit no CGCS2000 coordinate system</source>
            <translation>坐标与任何 CGCS2000 坐标系都不符</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>the coordinates are degrees: use EPSG:4490 (CGCS2000 geographic)</source>
            <translation>坐标为经纬度（度）：请使用 EPSG:4490（CGCS2000 地理坐标系）</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>the coordinates are Gauss–Krüger metres without a zone prefix: use the CGCS2000 zone CRS of the area's central meridian (EPSG:4534–4554 for 3° zones, EPSG:4502–4512 for 6° zones)</source>
            <translation>坐标为不带带号的高斯–克吕格米制坐标：请使用该地区中央经线对应的 CGCS2000 分带坐标系（3° 带 EPSG:4534–4554，6° 带 EPSG:4502–4512）</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>TBMJ not a positive area (≤ 0, not a number or &gt; 10¹² m²); measured from the geometry</source>
            <translation>TBMJ 不是有效的正面积（≤ 0、非数值或大于 10¹² m²），已按几何图形量算</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>KCXS outside [0, 1); ignored</source>
            <translation>KCXS 不在 [0, 1) 范围内，已忽略</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>KCMJ negative or larger than TBMJ; ignored</source>
            <translation>KCMJ 为负或大于 TBMJ，已忽略</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>TBDLMJ negative or larger than TBMJ; derived as TBMJ − KCMJ</source>
            <translation>TBDLMJ 为负或大于 TBMJ，已按 TBMJ − KCMJ 推算</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>GHKCXS outside [0, 1); ignored</source>
            <translation>GHKCXS 不在 [0, 1) 范围内，已忽略</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>become farmland without GHKCXS and without a slope grade (GDPDJB): no field ridges (田坎) are deducted after; enter GHKCXS, or GDPDJB and GDLX where the rule pack has a 田坎 table</source>
            <translation>整治后变为耕地，但既无规划扣除系数（GHKCXS）也无坡度级别（GDPDJB）：整治后不扣除田坎；请填写 GHKCXS，或在规则包有田坎系数表时填写 GDPDJB 和 GDLX</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>the coordinates have the {0}-zone prefix: use {1}</source>
            <translation>坐标带有 {0} 带带号：请使用 {1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>No parcel has a known land-class code (DLBM): check the field mapping (codes are text such as '0101'; a number field loses the leading 0).</source>
            <translation>没有任何图斑的地类编码（DLBM）可识别：请检查字段映射（编码应为文本，如“0101”；数值字段会丢失前导 0）。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>No remediation unit covers any parcel: check that both layers have the right coordinate system.</source>
            <translation>没有任何整治单元覆盖图斑：请检查两个图层的坐标系是否正确。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>{0} parcels had invalid geometry (e.g. self-intersecting) and were repaired before measuring: {1}</source>
            <translation>{0} 个图斑几何无效（如自相交），已在量算前修复：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>{0} parcels were geometry collections and were reduced to their polygons: {1}</source>
            <translation>{0} 个图斑为几何集合，已只保留其中的面：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>{0} parcels have no usable area (degenerate or absurd coordinates) and are left out: {1}</source>
            <translation>{0} 个图斑没有可用面积（几何退化或坐标异常），已排除：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>{0} parcels are identical copies of another parcel (geometry and attributes) and were counted once: {1}</source>
            <translation>{0} 个图斑与另一图斑完全相同（几何和属性），只计一次：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>{0} feature ids used twice by identical parcels, counted once: {1}</source>
            <translation>{0} 个要素 ID 被相同图斑重复使用，只计一次：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source> … ({0} in all)</source>
            <translation> …（共 {0} 个）</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>The {0} layer has no defined coordinate reference system; {1}.</source>
            <translation>{0}图层未定义坐标参考系；{1}。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>The {0} layer is labelled {1} (metres) but its coordinates are degrees; {2}.</source>
            <translation>{0}图层标注为 {1}（米），但其坐标为经纬度（度）；{2}。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>The {0} layer is labelled {1} (no zone prefix) but its eastings carry the {2}-zone prefix: use {3}.</source>
            <translation>{0}图层标注为 {1}（不带带号），但其横坐标带有 {2} 带带号：请使用 {3}。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>The {0} layer is labelled {1} (zone prefix {2}) but its eastings have no zone prefix: use {3}.</source>
            <translation>{0}图层标注为 {1}（带号 {2}），但其横坐标不带带号：请使用 {3}。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>the zone CRS without prefix</source>
            <translation>不带带号的分带坐标系</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>The {0} layer is labelled {1} (zone {2}) but its eastings are in zone {3}: use {4}.</source>
            <translation>{0}图层标注为 {1}（第 {2} 带），但其横坐标位于第 {3} 带：请使用 {4}。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>The {0} layer is labelled {1} but its eastings lie outside that zone's band (500 km ± 400 km); {2}.</source>
            <translation>{0}图层标注为 {1}，但其横坐标超出该带范围（500 km ± 400 km）；{2}。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>TBMJ looks like 亩, not m² (median TBMJ / geometry area = 1/{0:.0f}): run again with --tbmj-in-mu (in QGIS: tick the 'in mu (亩)' option of the project set-up or of the algorithm).</source>
            <translation>TBMJ 看起来以亩而非 m² 为单位（TBMJ 与几何面积之比的中位数 = 1/{0:.0f}）：请加上 --tbmj-in-mu 重新运行（在 QGIS 中：勾选“项目设置”或算法中的“以亩为单位”选项）。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>TBMJ is read as 亩 but looks like m² (median TBMJ / geometry area = {0:.0f}): run without --tbmj-in-mu (in QGIS: untick the 'in mu (亩)' option).</source>
            <translation>TBMJ 按亩读取，但看起来以 m² 为单位（TBMJ 与几何面积之比的中位数 = {0:.0f}）：请去掉 --tbmj-in-mu 重新运行（在 QGIS 中：取消勾选“以亩为单位”选项）。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>The {0} layer has latitude and longitude swapped (x {1:.2f}…{2:.2f}, y {3:.2f}…{4:.2f}): x must be the longitude; swap the axes (e.g. GDAL's -s_srs with the axis order of {5}).</source>
            <translation>{0}图层的纬度与经度互换了（x {1:.2f}…{2:.2f}，y {3:.2f}…{4:.2f}）：x 应为经度；请交换坐标轴（如用 GDAL 的 -s_srs 按 {5} 的轴序转换）。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>The {0} layer is labelled {1} (degrees) but its coordinates are metres; {2}.</source>
            <translation>{0}图层标注为 {1}（度），但其坐标为米制坐标；{2}。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>Remediation units without geometry: {0}; draw them or delete them.</source>
            <translation>没有几何图形的整治单元：{0}；请绘制或删除。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>{0} remediation unit(s) have no code (DYBH); give every unit a code.</source>
            <translation>{0} 个整治单元没有编号（DYBH）；请为每个单元填写编号。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>Remediation unit codes (DYBH) used more than once: {0}; give every unit its own code.</source>
            <translation>整治单元编号（DYBH）重复：{0}；请为每个单元使用唯一编号。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>{0} and {1} ({2} m²)</source>
            <translation>{0} 与 {1}（{2} m²）</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>Remediation units overlap: {0}; their shared parcels count once in the project rows. Remove the overlaps to get a verdict.</source>
            <translation>整治单元相互重叠：{0}；重叠部分的图斑在项目合计中只计一次。消除重叠后才能给出结论。</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>{0} parcels: {1}: {2}</source>
            <translation>{0} 个图斑：{1}：{2}</translation>
        </message>
        <message>
            <location filename="../plugin/core/validation.py"/>
            <source>the CRS of zone {0}</source>
            <translation>第 {0} 带的坐标系</translation>
        </message>
        <message>
            <location filename="../plugin/core/value_warnings.py"/>
            <source>{0} parcels have no usable TBMJ; their area was measured on the CGCS2000 ellipsoid (after repairing invalid geometry)</source>
            <translation>{0} 个图斑没有可用的 TBMJ，已在 CGCS2000 椭球面上量算其面积（无效几何先行修复）</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Met</source>
            <translation>达标</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Not met</source>
            <translation>不达标</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Alert</source>
            <translation>预警</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Not applicable</source>
            <translation>不适用</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Not planned</source>
            <translation>未规划</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Not computed</source>
            <translation>未计算</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Not assessable</source>
            <translation>不可评估</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Binding</source>
            <translation>约束性</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Advisory</source>
            <translation>预期性</translation>
        </message>
        <message>
            <location filename="../plugin/core/verdicts.py"/>
            <source>Basis to be verified</source>
            <translation>依据待核实</translation>
        </message>
        <message>
            <location filename="../plugin/demo/project.py"/>
            <source>Project boundary</source>
            <translation>项目区范围</translation>
        </message>
        <message>
            <location filename="../plugin/demo/project.py"/>
            <source>Urban growth boundary</source>
            <translation>城镇开发边界</translation>
        </message>
        <message>
            <location filename="../plugin/demo/project.py"/>
            <source>Ecological red line</source>
            <translation>生态保护红线</translation>
        </message>
        <message>
            <location filename="../plugin/demo/project.py"/>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Permanent basic farmland</source>
            <translation>永久基本农田</translation>
        </message>
        <message>
            <location filename="../plugin/demo/project.py"/>
            <source>Land-use parcels (DLTB)</source>
            <translation>地类图斑（DLTB）</translation>
        </message>
        <message>
            <location filename="../plugin/demo/project.py"/>
            <source>Land consolidation plan (demo township)</source>
            <translation>全域土地综合整治规划（示范乡镇）</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>Write a demo township (三调 parcels, PBF, control lines, units, plan) to a GeoPackage.</source>
            <translation>生成示例乡镇数据（三调图斑、永久基本农田、管控线、整治单元、规划）并写入 GeoPackage。</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>output GeoPackage path (overwritten)</source>
            <translation>输出 GeoPackage 路径（已存在则覆盖）</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>number of DLTB parcels</source>
            <translation>地类图斑（DLTB）数量</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>random seed; the same seed gives the same file</source>
            <translation>随机种子；相同种子生成相同文件</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>number of remediation units</source>
            <translation>整治单元数量</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>share of parcels inside units that carry a plan</source>
            <translation>单元内已标注规划的图斑比例</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>add data-quality quirks (unknown land class, missing area)</source>
            <translation>加入数据质量问题（未知地类、缺少面积）</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>--parcels must be at least 200</source>
            <translation>--parcels 不能小于 200</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>--tagged-share must be between 0 and 1</source>
            <translation>--tagged-share 必须在 0 到 1 之间</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>generated in {gen:.1f} s, written in {write:.1f} s</source>
            <translation>生成用时 {gen:.1f} 秒，写入用时 {write:.1f} 秒</translation>
        </message>
        <message>
            <location filename="../plugin/demo/writer.py"/>
            <source>Cannot create the GeoPackage {path}</source>
            <translation>无法创建 GeoPackage：{path}</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>any version</source>
            <translation>任意版本</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>In a terminal, run: {command}</source>
            <translation>请在终端中运行：{command}</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>Python packages are missing or too old: {problems}. {fix}. Then restart QGIS.</source>
            <translation>缺少 Python 包或版本过低：{problems}。{fix}。然后重新启动 QGIS。</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>{package} {found} is too old (needed: {required})</source>
            <translation>{package} 版本 {found} 过低（需要：{required}）</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>In the OSGeo4W Shell (Start menu &gt; QGIS &gt; OSGeo4W Shell), run: {command}</source>
            <translation>请在 OSGeo4W Shell（开始菜单 &gt; QGIS &gt; OSGeo4W Shell）中运行：{command}</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>{package} is not installed (needed: {required})</source>
            <translation>未安装 {package}（需要：{required}）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Updating the area balance</source>
            <translation>更新面积平衡</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Copying the balance</source>
            <translation>复制面积平衡表</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Saving the balance</source>
            <translation>保存面积平衡表</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Recomputing the balance</source>
            <translation>重新计算面积平衡</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Cancelling the computation</source>
            <translation>取消计算</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Balances</source>
            <translation>平衡</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Each unit</source>
            <translation>各整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Selected unit</source>
            <translation>选中的整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Computing the balance… %p%</source>
            <translation>正在计算面积平衡… %p%</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/handover.py"/>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>The balance was copied; paste it into Excel or WPS.</source>
            <translation>面积平衡表已复制，可粘贴到 Excel 或 WPS。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Save the balance</source>
            <translation>保存面积平衡表</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)</source>
            <translation>Excel 工作簿 (*.xlsx);;CSV，UTF-8 (*.csv)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Scope</source>
            <translation>范围</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Copy</source>
            <translation>复制</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Copy both tables to the clipboard (tab-separated, for Excel/WPS)</source>
            <translation>把两张表复制到剪贴板（制表符分隔，可粘贴到 Excel/WPS）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Save…</source>
            <translation>保存…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Save as CSV/XLSX…</source>
            <translation>另存为 CSV/XLSX…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Recompute</source>
            <translation>重新计算</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Recompute the whole balance from the layers</source>
            <translation>根据图层全部重新计算面积平衡</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Select a remediation unit in the units panel or on the map.</source>
            <translation>请在整治单元面板或地图上选择一个整治单元。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Not set up: choose the parcel and units layers in the project set-up.</source>
            <translation>尚未设置：请在“项目设置”中选择图斑图层和整治单元图层。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Parcels: {0} · Units: {1}</source>
            <translation>图斑：{0} · 整治单元：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>No balance yet: draw at least one remediation unit.</source>
            <translation>暂无面积平衡：请至少绘制一个整治单元。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>There is no balance to save yet.</source>
            <translation>还没有可保存的面积平衡。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Code</source>
            <translation>编号</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Saving as XLSX needs the Python package openpyxl, which is not installed (pip install openpyxl). Save as CSV instead.</source>
            <translation>保存为 XLSX 需要 Python 包 openpyxl，但尚未安装（pip install openpyxl）。请改存为 CSV。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>The balance was saved to {0}</source>
            <translation>面积平衡表已保存到 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Rules: {0}</source>
            <translation>规则：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_files.py"/>
            <source>Land use structure</source>
            <translation>土地利用结构调整表</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Show or hide the township limits and the contiguity</source>
            <translation>显示或收起乡镇指标与集中连片</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Townships</source>
            <translation>乡镇指标</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_layout.py"/>
            <location filename="../plugin/gui/contiguity_table.py"/>
            <source>Contiguity</source>
            <translation>集中连片</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_layout.py"/>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Notes</source>
            <translation>提示</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Target</source>
            <translation>要求</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Townships ({0})</source>
            <translation>乡镇指标（{0}）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Click to read the whole note in the Notes tab.</source>
            <translation>单击可在“提示”页中阅读完整内容。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_layout.py"/>
            <source>Notes ({0})</source>
            <translation>提示（{0}）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_tables.py"/>
            <source>Basis: {0}</source>
            <translation>依据：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_tables.py"/>
            <source>Formula: {0}</source>
            <translation>公式：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Listing the data checks</source>
            <translation>列出数据检查结果</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Checking the data again</source>
            <translation>重新检查数据</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Showing the finding</source>
            <translation>显示检查结果</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <location filename="../plugin/main.py"/>
            <source>Data checks</source>
            <translation>数据检查</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Checks</source>
            <translation>检查</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Check again</source>
            <translation>重新检查</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Run every data check again in full (in the background)</source>
            <translation>在后台重新运行全部数据检查</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>No data checks yet: set up the project (parcels and units).</source>
            <translation>尚无数据检查：请先完成项目设置（图斑与整治单元）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Errors</source>
            <translation>错误</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Warnings</source>
            <translation>警告</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Kind</source>
            <translation>类别</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Message</source>
            <translation>说明</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Feature</source>
            <translation>要素</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Not set up: choose the parcel and unit layers in the project set-up.</source>
            <translation>尚未设置：请在项目设置中选择图斑图层和整治单元图层。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Checking the data…</source>
            <translation>正在检查数据…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Double-click a finding to show it on the map.</source>
            <translation>双击检查结果可在地图上定位。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Parcels: {0}</source>
            <translation>图斑：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>Errors: {0} · warnings: {1} · notes: {2}</source>
            <translation>错误 {0} 个 · 警告 {1} 个 · 提示 {2} 个</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>(first {0} shown)</source>
            <translation>（仅显示前 {0} 条）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/checks_panel.py"/>
            <source>BSM {0}</source>
            <translation>标识码 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/common.py"/>
            <location filename="../plugin/main.py"/>
            <source>Project set-up…</source>
            <translation>项目设置…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/contiguity_table.py"/>
            <source>集中连片: farmland parcels within the rule pack's gap of each other form one patch</source>
            <translation>集中连片：相互间距不超过规则包容差的耕地图斑构成一片</translation>
        </message>
        <message>
            <location filename="../plugin/gui/contiguity_table.py"/>
            <source>Mean</source>
            <translation>平均</translation>
        </message>
        <message>
            <location filename="../plugin/gui/contiguity_table.py"/>
            <source>Largest</source>
            <translation>最大</translation>
        </message>
        <message>
            <location filename="../plugin/gui/contiguity_table.py"/>
            <source>{0} patches of at least {1} mu: {2}</source>
            <translation>{0} 片不小于 {1} 亩：{2}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Land consolidation: creating the planning schema</source>
            <translation>土地综合整治：正在创建规划数据库模式</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Planning database (PostgreSQL/PostGIS)</source>
            <translation>规划数据库（PostgreSQL/PostGIS）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>a QGIS connection, or service=county</source>
            <translation>QGIS 中的连接，或 service=county</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>QGIS's saved PostgreSQL connections (passwords stay in QGIS's auth manager), or a pg_service.conf service typed as service=NAME</source>
            <translation>QGIS 中保存的 PostgreSQL 连接（密码保存在 QGIS 认证管理器中），或输入 pg_service.conf 中的服务：service=名称</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Connection</source>
            <translation>连接</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Schema</source>
            <translation>模式（schema）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Create / upgrade the planning schema (db init)</source>
            <translation>创建/升级规划数据库模式（db init）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Creating the planning schema failed; see the message log for details.</source>
            <translation>创建规划数据库模式失败；详情见日志消息面板。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Choose a PostgreSQL connection first.</source>
            <translation>请先选择一个 PostgreSQL 连接。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Creating or upgrading the schema {0}…</source>
            <translation>正在创建或升级模式 {0}…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <source>Reading QGIS's PostgreSQL connections failed: {0}</source>
            <translation>读取 QGIS 的 PostgreSQL 连接失败：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/db_init_section.py"/>
            <location filename="../plugin/gui/errors.py"/>
            <location filename="../plugin/gui/handover.py"/>
            <source>Cancelled.</source>
            <translation>已取消。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <source>{action} failed: {error}. Details are in the log panel (View &gt; Panels &gt; Log Messages, tab LandConsolidation).</source>
            <translation>{action}失败：{error}。详细信息见日志面板（视图 &gt; 面板 &gt; 日志消息，LandConsolidation 选项卡）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <location filename="../plugin/gui/refusal.py"/>
            <location filename="../plugin/main.py"/>
            <source>Land Consolidation</source>
            <translation>全域土地综合整治</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <location filename="../plugin/gui/handover.py"/>
            <source>{0} failed: {1}</source>
            <translation>{0}失败：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <source>{action} failed:</source>
            <translation>{action}失败：</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>Exporting the plan</source>
            <translation>导出规划成果</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>Writing the report</source>
            <translation>生成报表</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>Writing the unit maps</source>
            <translation>生成单元规划图</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Export plan GeoPackage</source>
            <translation>导出方案 GeoPackage</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>Plan report (XLSX)</source>
            <translation>规划报表（XLSX）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>Unit maps (PDF)</source>
            <translation>单元规划图（PDF）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Set up the project first: choose the parcel and units layers.</source>
            <translation>请先进行项目设置：选择图斑图层和整治单元图层。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>The balance is still being computed; export when it is done.</source>
            <translation>面积平衡仍在计算中，请计算完成后再导出。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>There is no balance to export yet: draw at least one remediation unit.</source>
            <translation>尚无可导出的面积平衡：请至少绘制一个整治单元。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>GeoPackage (*.gpkg)</source>
            <translation>GeoPackage (*.gpkg)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>Writing XLSX needs the Python package openpyxl, which is not installed (pip install openpyxl, or the apt package python3-openpyxl).</source>
            <translation>写出 XLSX 需要 Python 包 openpyxl，但尚未安装（pip install openpyxl，或 apt 包 python3-openpyxl）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Excel workbook (*.xlsx)</source>
            <translation>Excel 工作簿 (*.xlsx)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/handover.py"/>
            <source>{0}: written {1}</source>
            <translation>{0}：已写出 {1}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Showing the project progress</source>
            <translation>显示项目进度</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Changing the unit status</source>
            <translation>变更单元状态</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Checking the acceptance</source>
            <translation>验收比对</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Writing the progress report</source>
            <translation>写出进度报告</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <location filename="../plugin/main.py"/>
            <source>Project progress</source>
            <translation>项目进度</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Progress</source>
            <translation>进度</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Progress report (XLSX)…</source>
            <translation>进度报告（XLSX）…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Reason (needed to go back)</source>
            <translation>原因（退回时必填）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Change status</source>
            <translation>变更状态</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Completed works, or a later survey (年度变更调查) of the same area</source>
            <translation>竣工图斑，或同一范围的后续调查（年度变更调查）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Check acceptance</source>
            <translation>验收比对</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Unit {0}: {1} → {2}; saved in the database with its history.</source>
            <translation>单元 {0}：{1} → {2}；已连同变更记录保存到数据库。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Unit {0}: {1} → {2}; save the units layer's edits to keep it (and its history).</source>
            <translation>单元 {0}：{1} → {2}；保存整治单元图层的编辑后生效（并记入变更记录）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Progress report</source>
            <translation>进度报告</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>New status</source>
            <translation>新状态</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Achieved layer</source>
            <translation>实施结果图层</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Class field</source>
            <translation>地类字段</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Type</source>
            <translation>整治类型</translation>
        </message>
        <message>
            <location filename="../plugin/gui/lifecycle_panel.py"/>
            <source>Choose the achieved layer first.</source>
            <translation>请先选择实施结果图层。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/progress_chart.py"/>
            <source>area</source>
            <translation>面积</translation>
        </message>
        <message>
            <location filename="../plugin/gui/progress_chart.py"/>
            <source>planned</source>
            <translation>规划</translation>
        </message>
        <message>
            <location filename="../plugin/gui/progress_chart.py"/>
            <source>achieved</source>
            <translation>实际完成</translation>
        </message>
        <message>
            <location filename="../plugin/gui/progress_chart.py"/>
            <source>(mu; planned on the right)</source>
            <translation>（亩；右侧为规划面积）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/project_layers.py"/>
            <source>The layer {0} does not allow new fields; save it as a GeoPackage first.</source>
            <translation>图层 {0} 不允许新增字段，请先另存为 GeoPackage。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/project_layers.py"/>
            <source>Cannot add the plan fields to the layer {0}: {1}</source>
            <translation>无法向图层 {0} 添加规划字段：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/project_layers.py"/>
            <source>Cannot add the field {0} to the layer {1}.</source>
            <translation>无法向图层 {1} 添加字段 {0}。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/refusal.py"/>
            <source>Save mine over theirs</source>
            <translation>用我的修改覆盖对方的</translation>
        </message>
        <message>
            <location filename="../plugin/gui/refusal.py"/>
            <source>Your next save of the layer edits replaces the other planner's values of these rows</source>
            <translation>下次保存图层编辑时，您的值将替换另一位规划人员对这些记录的修改</translation>
        </message>
        <message>
            <location filename="../plugin/gui/refusal.py"/>
            <source>Save the layer edits again: your values of {0} row(s) will replace the other planner's.</source>
            <translation>请再次保存图层编辑：您对 {0} 条记录的值将替换另一位规划人员的修改。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>The layer {0} was removed from the project; open the project set-up to choose another one.</source>
            <translation>图层 {0} 已从项目中移除，请打开“项目设置”重新选择。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>The rule pack {0} cannot be used ({1}); the national pack is used instead.</source>
            <translation>规则包 {0} 无法使用（{1}），已改用国家通用规则包。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>Setting the selection style failed: {0}</source>
            <translation>设置选择样式失败：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>The data checks could not start: {0}</source>
            <translation>数据检查无法启动：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>Recomputing the balance failed: {0}</source>
            <translation>重新计算面积平衡失败：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>Restoring the land consolidation set-up failed: {0}</source>
            <translation>恢复全域土地综合整治项目设置失败：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Choosing the rule pack</source>
            <translation>选择规则包</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Showing the fields of the parcel layer</source>
            <translation>显示图斑图层字段</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Project set-up</source>
            <translation>项目设置</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Load JSON…</source>
            <translation>加载 JSON 文件…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Apply</source>
            <translation>应用</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Load a rule pack</source>
            <translation>加载规则包</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Rule pack (*.json)</source>
            <translation>规则包 (*.json)</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Land class code (DLBM)</source>
            <translation>地类编码（DLBM）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Parcel area (TBMJ)</source>
            <translation>图斑面积（TBMJ）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Deduction coefficient (KCXS)</source>
            <translation>扣除系数（KCXS）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Deducted area (KCMJ)</source>
            <translation>扣除面积（KCMJ）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Deducted class (KCDLBM)</source>
            <translation>扣除地类编码（KCDLBM）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Net class area (TBDLMJ)</source>
            <translation>图斑地类面积（TBDLMJ）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Parcel id (BSM)</source>
            <translation>标识码（BSM）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Remediation type (ZZLX)</source>
            <translation>整治类型（ZZLX）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Land class after (GHDLBM)</source>
            <translation>规划地类编码（GHDLBM）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Deduction coefficient after (GHKCXS)</source>
            <translation>规划扣除系数（GHKCXS）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>PBF action (YNCZ)</source>
            <translation>永农调整（YNCZ）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Choose the parcel layer (三调 DLTB).</source>
            <translation>请选择图斑图层（三调 DLTB）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Choose a remediation units layer, or create one in the remediation units panel (New units layer…).</source>
            <translation>请选择整治单元图层，或在“整治单元”面板中新建（新建单元图层…）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>(none: will be added)</source>
            <translation>（无：将自动添加）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>The parcel layer {0} lacks the plan fields {1}. Add them now? They are written to the layer's file at once (not as an edit to save); the land class before is not changed.</source>
            <translation>图斑图层 {0} 缺少规划字段 {1}。现在添加吗？字段会直接写入图层文件（不需要再保存编辑）；现状地类不会改变。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Without the plan fields {0} parcels cannot be tagged.</source>
            <translation>缺少规划字段 {0}，无法标注图斑。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Listing the units to suggest for</source>
            <translation>列出可给出建议的整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Suggesting parcels</source>
            <translation>计算达标建议</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Previewing the suggestions</source>
            <translation>预览达标建议</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Applying the suggestions</source>
            <translation>应用达标建议</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <location filename="../plugin/main.py"/>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Suggestions</source>
            <translation>达标建议</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Suggest</source>
            <translation>建议</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Rank the parcels whose tagging would make the unit's failing rule pass</source>
            <translation>对可使单元不达标规则达标的图斑进行排序</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Preview</source>
            <translation>预览</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>The unit's indicators as if the top parcels were tagged (nothing is written)</source>
            <translation>假设标注前几个图斑后单元的各项指标（不写入数据）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Tag the top parcels in the parcel layer (one undo step)</source>
            <translation>在图斑图层中标注前几个图斑（可一步撤销）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>#</source>
            <translation>序号</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Parcel</source>
            <translation>图斑</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Class change</source>
            <translation>地类变化</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Top</source>
            <translation>前</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>The plan changed: suggest again.</source>
            <translation>规划已改变，请重新计算建议。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>No ecological red line is set up: parcels in it may be suggested.</source>
            <translation>未设置生态保护红线：建议中可能含有红线内的图斑。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>{0}: {1} (required {2} {3})</source>
            <translation>{0}：{1}（要求 {2} {3}）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Tag {0} parcels ({1} mu): {2}</source>
            <translation>标注 {0} 个图斑（{1} 亩）后为 {2}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>BSM {0}; gain {1:.4g}; next to farmland: {2}; slope grade (GDPDJB): {3}</source>
            <translation>标识码 {0}；贡献 {1:.4g}；与耕地相邻：{2}；坡度级别（GDPDJB）：{3}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Other indicators: {0} pass</source>
            <translation>其他指标：{0} 项达标</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>Farmland after the plan: {0} → {1} mu</source>
            <translation>整治后耕地：{0} → {1} 亩</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <source>If the top {0} were tagged:</source>
            <translation>若标注前 {0} 个图斑：</translation>
        </message>
        <message>
            <location filename="../plugin/gui/suggest_panel.py"/>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>The parcel layer has no field for {0}; add the plan fields in the project set-up.</source>
            <translation>图斑图层没有 {0} 对应的字段，请在“项目设置”中添加规划字段。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Summarising the selection</source>
            <translation>统计所选图斑</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Tagging parcels</source>
            <translation>标注图斑</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Clearing parcel tags</source>
            <translation>清除图斑标注</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Styling the parcels</source>
            <translation>设置图斑样式</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Updating the tagging panel</source>
            <translation>更新图斑标注面板</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <location filename="../plugin/main.py"/>
            <source>Parcel tagging</source>
            <translation>图斑标注</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Tagging</source>
            <translation>标注</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Apply to selected parcels</source>
            <translation>标注所选图斑</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Clear tag</source>
            <translation>清除标注</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Style parcels by remediation type</source>
            <translation>按整治类型设置图斑样式</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Plan of the selected parcels</source>
            <translation>所选图斑的规划</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Type a code or name, e.g. 0101 or 水田</source>
            <translation>输入编码或名称，如 0101 或 水田</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Land class after</source>
            <translation>规划地类</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>set</source>
            <translation>指定</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Unset: the coefficient before is kept for farmland (KCXS), 0 otherwise</source>
            <translation>不指定时：耕地沿用现状扣除系数（KCXS），其他地类为 0</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Deduction coefficient after</source>
            <translation>规划扣除系数</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>No PBF change</source>
            <translation>不调整永久基本农田</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Move out of PBF (调出)</source>
            <translation>调出永久基本农田</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Move into PBF (调入)</source>
            <translation>调入永久基本农田</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Tag parcels</source>
            <translation>标注图斑</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Clear parcel tags</source>
            <translation>清除图斑标注</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Set up the project first: choose the parcel layer.</source>
            <translation>请先进行项目设置：选择图斑图层。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Select parcels on the map first.</source>
            <translation>请先在地图上选择图斑。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Choose a remediation type in the list first.</source>
            <translation>请先在列表中选择整治类型。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>No parcels selected. Select parcels on the map, then choose a type and the land class after.</source>
            <translation>未选择图斑。请在地图上选择图斑，再选择整治类型和规划地类。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>unknown class</source>
            <translation>未知地类</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>{0} is not meant for parcels of class {1}: it applies to {2}.</source>
            <translation>“{0}”不适用于地类为 {1} 的图斑；其适用地类为：{2}。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>&lt;b&gt;{0}&lt;/b&gt; parcels selected, {1} {2} ({3} already tagged)</source>
            <translation>已选 &lt;b&gt;{0}&lt;/b&gt; 个图斑，共 {1} {2}（其中 {3} 个已标注）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Editing of {0} was started; save the layer edits to keep the tags.</source>
            <translation>已开启 {0} 的编辑，请保存图层编辑以保留标注。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Choose a land class after that the type {0} may produce ({1}).</source>
            <translation>请选择整治类型 {0} 允许的规划地类（{1}）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>… and {0} more classes</source>
            <translation>… 另有 {0} 个地类</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>{0} {1} ({2} parcels)</source>
            <translation>{0} {1}（{2} 个图斑）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Produces: {0}</source>
            <translation>可整治为：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Listing the remediation units</source>
            <translation>列出整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Showing the unit</source>
            <translation>显示整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Creating the units layer</source>
            <translation>新建整治单元图层</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Making a unit from the selected parcels</source>
            <translation>由所选图斑生成整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Switching the editing of the units</source>
            <translation>切换整治单元编辑状态</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>New units layer…</source>
            <translation>新建单元图层…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Create a GeoPackage with an empty remediation units layer</source>
            <translation>新建一个包含空整治单元图层的 GeoPackage</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Unit from selected parcels</source>
            <translation>由所选图斑生成单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Dissolve the selected parcels into one new unit</source>
            <translation>把所选图斑融合为一个新的整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Edit units on the map</source>
            <translation>在地图上编辑单元</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Make the units layer active and switch editing on or off; draw and reshape with QGIS's digitising tools</source>
            <translation>把整治单元图层设为当前图层并开启或关闭编辑；用 QGIS 的数字化工具绘制和修整</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>New remediation units layer</source>
            <translation>新建整治单元图层</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Check</source>
            <translation>核查</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>No units layer: create one (New units layer…) or choose one in the project set-up.</source>
            <translation>没有整治单元图层：请新建（新建单元图层…）或在“项目设置”中选择。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Data checks: {0} errors, {1} warnings (see the Data checks panel)</source>
            <translation>数据检查：{0} 个错误，{1} 个警告（见“数据检查”面板）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>The selected parcels have no geometry.</source>
            <translation>所选图斑没有几何图形。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Cannot open the new units layer {0}</source>
            <translation>无法打开新建的整治单元图层 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Unit {0} made from {1} parcels; save the layer edits to keep it.</source>
            <translation>已由 {1} 个图斑生成整治单元 {0}，请保存图层编辑以保留。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Units: {0}</source>
            <translation>整治单元：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>The unit could not be added to {0}.</source>
            <translation>无法把整治单元添加到 {0}。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/verdict.py"/>
            <source>The rule has not been checked against the current policy text.</source>
            <translation>该规则尚未与现行政策原文核对。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/verdict.py"/>
            <source>Not computed yet</source>
            <translation>尚未计算</translation>
        </message>
        <message>
            <location filename="../plugin/gui/verdict.py"/>
            <source>No parcel of this unit is tagged yet: tag parcels in the tagging panel to plan it.</source>
            <translation>本单元尚无已标注的图斑：请在“标注”页标注图斑后再评价。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/verdict.py"/>
            <source>All rules met</source>
            <translation>全部规则均满足</translation>
        </message>
        <message>
            <location filename="../plugin/gui/verdict.py"/>
            <source>No rule applies yet</source>
            <translation>暂无适用的规则</translation>
        </message>
        <message>
            <location filename="../plugin/gui/verdict.py"/>
            <source>Not met: {0}</source>
            <translation>未满足：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/verdict.py"/>
            <source>not given</source>
            <translation>未注明</translation>
        </message>
        <message>
            <location filename="../plugin/gui/verdict.py"/>
            <source>Cited: {0}</source>
            <translation>引用：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Updating the verdict</source>
            <translation>更新评价结论</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Updating the workbench</source>
            <translation>更新工作台</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <location filename="../plugin/main.py"/>
            <source>Opening the project set-up</source>
            <translation>打开项目设置</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <location filename="../plugin/main.py"/>
            <source>Land consolidation workbench</source>
            <translation>全域整治工作台</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Set-up…</source>
            <translation>设置…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Project set-up: layers, fields and rule pack</source>
            <translation>项目设置：图层、字段与规则包</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Export</source>
            <translation>导出</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Hand the plan over: GeoPackage, XLSX report, unit maps</source>
            <translation>成果导出：GeoPackage、XLSX 报表、单元规划图</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Not set up</source>
            <translation>未设置</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Choose the parcel and units layers in the project set-up.</source>
            <translation>请在项目设置中选择地类图斑图层和整治单元图层。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Plan GeoPackage…</source>
            <translation>规划成果 GeoPackage…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <source>Report (XLSX)…</source>
            <translation>报表（XLSX）…</translation>
        </message>
        <message>
            <location filename="../plugin/gui/workbench.py"/>
            <location filename="../plugin/main.py"/>
            <source>Unit maps (PDF)…</source>
            <translation>单元规划图（PDF）…</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Showing a panel</source>
            <translation>显示面板</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Updating the panel buttons</source>
            <translation>更新面板按钮</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show the remediation units (整治单元) panel of the workbench</source>
            <translation>显示工作台的“整治单元”页</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show the parcel tagging (图斑标注) panel of the workbench</source>
            <translation>显示工作台的“图斑标注”页</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show the area balance (面积平衡) panel of the workbench</source>
            <translation>显示工作台的“面积平衡”页</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show the data checks (数据检查) panel of the workbench</source>
            <translation>显示工作台的“数据检查”页</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show the suggestions (达标建议) panel of the workbench</source>
            <translation>显示工作台的达标建议面板</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show the project progress (项目进度) panel of the workbench: unit status, acceptance, report</source>
            <translation>显示工作台的项目进度面板：单元状态、验收比对、进度报告</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show or hide the land consolidation workbench</source>
            <translation>显示或隐藏全域整治工作台</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Export plan GeoPackage…</source>
            <translation>导出规划成果 GeoPackage…</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Plan report (XLSX)…</source>
            <translation>规划报表（XLSX）…</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>This panel could not be created; see the log panel (tab LandConsolidation).</source>
            <translation>无法创建此面板，请查看日志面板（LandConsolidation 选项卡）。</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>The Processing provider could not be registered.</source>
            <translation>无法注册处理（Processing）算法提供程序。</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Registering the Processing provider</source>
            <translation>注册处理算法提供程序</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Starting Land Consolidation</source>
            <translation>启动全域土地综合整治插件</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Starting the planning session</source>
            <translation>启动规划会话</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Creating the workbench</source>
            <translation>创建工作台</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Creating the {name} panel</source>
            <translation>创建“{name}”面板</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_constraints.py"/>
            <source>Check constraints (三区三线)</source>
            <translation>三区三线约束检查</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_constraints.py"/>
            <source>Checks the plan against the three control lines and its own consistency.
Errors: new construction (增减挂钩建新, or a parcel whose class after is construction land and before was not) inside permanent basic farmland or the ecological red line; PBF moved out (YNCZ = OUT) larger than PBF brought in (YNCZ = IN); overlapping units.
Warnings: new construction outside the urban growth boundary; PBF brought in of worse mean quality grade (GDDB, area-weighted; grade 1 is best) than the PBF moved out; a land class after (GHDLBM) that the remediation type does not produce; unknown remediation types; units reaching beyond the project boundary.
Each finding is a feature with severity, code, message, unit code, parcel id and area (m²).</source>
            <translation>按三区三线和方案自身一致性检查整治方案。
错误：在永久基本农田或生态保护红线内新增建设（增减挂钩建新，或整治后为建设用地而整治前不是的图斑）；永久基本农田调出（YNCZ = OUT）面积大于调入（YNCZ = IN）面积；整治单元相互重叠。
警告：在城镇开发边界外新增建设；调入永久基本农田的面积加权平均耕地等别（GDDB，1 等最好）差于调出的；规划地类（GHDLBM）不属于该整治类型可形成的地类；未知的整治类型；整治单元超出项目范围。
每个问题输出为一个要素，包含级别、代码、说明、单元编号、图斑标识和面积（m²）。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_constraints.py"/>
            <source>Constraint findings</source>
            <translation>约束检查结果</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_constraints.py"/>
            <location filename="../plugin/processing/algorithms/check_data.py"/>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Number of errors</source>
            <translation>错误数</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_constraints.py"/>
            <location filename="../plugin/processing/algorithms/check_data.py"/>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Number of warnings</source>
            <translation>警告数</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_data.py"/>
            <source>Check data (数据检查)</source>
            <translation>数据检查</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_data.py"/>
            <source>Checks the data of the parcels that lie in remediation units, with the tolerances of the rule pack's 'checks' section.
Errors: duplicate BSM not explained by a split (overlapping pieces, identical copies); TBMJ off the ellipsoidal area by more than the tolerance (1 % and 1 m² by default); invalid geometry; overlapping parcels; unknown land classes; 三调 rules on field ridges (KCXS &gt; 0 only on 01xx, KCXS &gt; 0 needs KCDLBM, GDPDJB 1 means KCXS 0); overlapping units; 三区三线 (new construction in PBF or the red line, PBF moved out larger than brought in).
Warnings: gaps inside units; slivers; remediation types that do not fit the class before or after; new construction outside the urban growth boundary; units beyond the project boundary.
Notes: parcels without TBMJ (measured on the ellipsoid).
Each finding is a feature with severity, kind, message, unit code, feature id and BSM.</source>
            <translation>检查位于整治单元内的图斑数据，容差取自规则包的 checks 部分。
错误：无法用分割解释的标识码重复（图形相互重叠或完全相同的副本）；图斑面积与椭球面积之差超过容差（默认 1% 且 1 平方米）；几何无效；图斑重叠；未知地类；三调田坎规则（扣除系数大于 0 只用于 01 耕地、扣除系数大于 0 须有扣除地类编码、坡度级别 1 级则扣除系数为 0）；整治单元重叠；三区三线（永久基本农田或生态保护红线内新增建设，永农调出大于调入）。
警告：单元内缝隙；碎片图斑；整治类型与整治前或整治后地类不符；城镇开发边界外新增建设；单元超出项目范围。
提示：缺少图斑面积（已按椭球面积量算）的图斑。
每条结果为一个要素，含严重程度、类别、说明、单元编号、要素编号和标识码。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_data.py"/>
            <source>Data check findings</source>
            <translation>数据检查结果</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/check_data.py"/>
            <source>Number of notes</source>
            <translation>提示数量</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Parcels (三调 DLTB)</source>
            <translation>地类图斑（三调 DLTB）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Ecological protection red line (optional)</source>
            <translation>生态保护红线（可选）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Urban growth boundary (optional)</source>
            <translation>城镇开发边界（可选）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Project boundary (optional)</source>
            <translation>项目范围（可选）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Balance</source>
            <translation>平衡分析</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Unit code field (default: DYBH)</source>
            <translation>单元编号字段（默认：DYBH）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Permanent basic farmland (optional)</source>
            <translation>永久基本农田（可选）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Custom rule pack (JSON; replaces the rule pack above)</source>
            <translation>自定义规则包（JSON；替代上面的规则包）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>TBMJ, KCMJ and TBDLMJ are in mu (亩), not m²</source>
            <translation>TBMJ、KCMJ、TBDLMJ 以亩为单位（而非 m²）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Area tolerance (m²): overlaps smaller than this are ignored</source>
            <translation>面积容差（m²）：小于此值的重叠忽略不计</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Choose a parcel layer and a remediation unit layer.</source>
            <translation>请选择地类图斑图层和整治单元图层。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Cancelled; nothing was written.</source>
            <translation>已取消；未写出任何文件。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Unknown rule pack number {0}</source>
            <translation>未知的规则包序号 {0}</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>The rule pack cannot be used: {0}</source>
            <translation>规则包无法使用：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Compute balance</source>
            <translation>计算平衡</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Area balance of every remediation unit and of the whole project: land-class areas before and after consolidation (m², from TBMJ apportioned by the share of each parcel inside a unit) and the indicators of the chosen rule pack (新增耕地率, 永农净增, 建设用地变化…).

Writes a GeoPackage with the tables 'balance' (unit_code, dlbm, area_before_m2, area_after_m2; unit_code '*' = whole project) and 'indicators' (unit_code, rule_id, value, threshold, passed, severity, reason; passed NULL with a reason = not assessable), the same tables as the command 'python -m plugin.cli balance'. The two tables can also be loaded as layers.

With permanent basic farmland and a rule pack with township rules, the indicators also hold the township PBF adjustment limits (unit_code = the 9-digit township code); the urban growth boundary (optional) is needed for the rule on PBF moved out inside it.

Compute inside the database (advanced): when the parcels, units and permanent basic farmland are PostGIS layers of one database, the balance is computed there with SQL (only sums leave the server), as 'python -m plugin.cli balance --in-database'.</source>
            <translation>计算每个整治单元及全项目的面积平衡：整治前后各地类面积（m²，按图斑在单元内的面积比例分摊 TBMJ）以及所选规则包的指标（新增耕地率、永农净增、建设用地变化等）。

写出 GeoPackage，含表 'balance'（unit_code、dlbm、area_before_m2、area_after_m2；unit_code 为 '*' 表示全项目）和 'indicators'（unit_code、rule_id、value、threshold、passed、severity、reason；passed 为空且 reason 有内容表示不可评估），与命令 'python -m plugin.cli balance' 的输出相同。这两张表也可作为图层加载。

给出永久基本农田且规则包含乡镇规则时，指标表还包含乡镇永久基本农田调整限制（unit_code 为 9 位乡镇代码）；城镇开发边界（可选）用于判断城镇开发边界内调出的永久基本农田一项。

在数据库内计算（高级）：地块、整治单元与永久基本农田为同一数据库中的 PostGIS 图层时，用 SQL 在数据库内计算平衡（只有汇总值离开服务器），与 'python -m plugin.cli balance --in-database' 相同。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Compute inside the database (PostGIS sources only)</source>
            <translation>在数据库内计算（仅限 PostGIS 数据源）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Balance GeoPackage</source>
            <translation>平衡分析 GeoPackage</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Balance table</source>
            <translation>平衡表</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Indicator table</source>
            <translation>指标表</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Number of units</source>
            <translation>整治单元数</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Number of units failing an error rule</source>
            <translation>约束性指标不达标的单元数</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Computing the balance inside the database: only sums leave it.</source>
            <translation>正在数据库内计算平衡：只有汇总值离开数据库。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/contiguity.py"/>
            <source>Farmland contiguity (集中连片)</source>
            <translation>耕地集中连片</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/contiguity.py"/>
            <source>Patches of farmland and of permanent basic farmland, before and after the plan, in every remediation unit and in the whole project: parcels lying within the gap tolerance of each other (across 田坎, ditches and field roads) form one patch. A patch's area is its parcels' farmland area as the balance counts it (TBMJ apportioned, 耕地 net of 田坎).

The patches layer has one feature per patch (unit_code '*' = whole project; layer farmland_before, farmland_after, pbf_before or pbf_after; block = the largest block size it reaches). The statistics table gives per unit and layer the number of patches, total, mean and largest patch and the 百亩方 / 千亩方 / 万亩方 counts and areas. Gap and block sizes come from the rule pack (section contiguity); a gap given here overrides the pack's.</source>
            <translation>整治前后，各整治单元及全项目的耕地和永久基本农田连片：相互间距不超过容差（可跨越田坎、沟渠和田间道路）的图斑构成一片。连片面积为其图斑按面积平衡口径计算的耕地面积（按比例分摊图斑面积，耕地扣除田坎）。

连片图层每片一个要素（unit_code 为 '*' 表示全项目；layer 为 farmland_before、farmland_after、pbf_before 或 pbf_after；block 为其达到的最大连片规模）。统计表按单元和图层给出连片数、总面积、平均和最大连片面积，以及百亩方、千亩方、万亩方的个数和面积。间距容差和连片规模取自规则包（contiguity 部分）；此处填写的间距容差优先于规则包。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/contiguity.py"/>
            <source>Gap tolerance (m; empty = the rule pack's)</source>
            <translation>连片间距容差（米；留空取规则包的值）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/contiguity.py"/>
            <source>Farmland patches</source>
            <translation>耕地连片</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/contiguity.py"/>
            <source>Contiguity statistics</source>
            <translation>集中连片统计表</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/contiguity.py"/>
            <source>Number of farmland patches after (whole project)</source>
            <translation>整治后耕地连片数（全项目）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/contiguity.py"/>
            <source>Number of blocks of the smallest size after (whole project)</source>
            <translation>整治后最小规模连片方个数（全项目）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Writes the plan as a GeoPackage for the bureau's platform: the remediation units, the parcels clipped to them with apportioned areas and plan fields, the balance, indicator and rule-pack tables, default styles, an embedded QGIS project and metadata. The file is built under a temporary name and moved into place only when complete.
Give a file for one GeoPackage of the chosen units, and/or a folder for one GeoPackage per unit (&lt;DYBH&gt;.gpkg). Unit codes: comma-separated; empty = every unit.</source>
            <translation>将整治方案导出为 GeoPackage，供“一张图”平台使用：整治单元、按单元裁切并分摊面积的图斑及规划字段、平衡表、指标表和规则包表、默认样式、内嵌 QGIS 工程和元数据。文件先以临时名称生成，完成后才移动到目标位置。
指定文件则将所选单元写入一个 GeoPackage；指定文件夹则每个单元写一个 GeoPackage（&lt;DYBH&gt;.gpkg）。单元编号以逗号分隔，留空表示全部单元。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Unit codes (comma-separated; empty = all units)</source>
            <translation>单元编号（逗号分隔；留空为全部单元）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Plan title (metadata)</source>
            <translation>方案标题（元数据）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Author (metadata)</source>
            <translation>编制人（元数据）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Replace existing files</source>
            <translation>覆盖已有文件</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Plan GeoPackage</source>
            <translation>方案 GeoPackage</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Folder for one GeoPackage per unit</source>
            <translation>按单元分别输出 GeoPackage 的文件夹</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Files written</source>
            <translation>已写出的文件</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Number of files written</source>
            <translation>写出的文件数</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/export_plan.py"/>
            <source>Choose a plan GeoPackage or a folder for one GeoPackage per unit.</source>
            <translation>请选择方案 GeoPackage 文件或按单元输出的文件夹。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/findings_sink.py"/>
            <source>{0} errors, {1} warnings</source>
            <translation>{0} 个错误，{1} 个警告</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/findings_sink.py"/>
            <source>… and {0} more findings (see the output layer)</source>
            <translation>……另有 {0} 个问题（见输出图层）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Life cycle</source>
            <translation>项目进度管理</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Set unit status (guarded)</source>
            <translation>变更单元状态（含校验）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Moves one remediation unit along its life cycle 储备 → 立项 → 实施 → 验收 → 备案 and writes the change to the units layer (saved) and a row (who, when, from, to, reason) to the status history: the table unit_status_history of the units' GeoPackage.
Guards: forward only to the next status; back only with a reason; 立项 only while no error-level data check fails for the unit (the checks run here, with the optional 三区三线 layers); 验收 only when the acceptance check with the achieved layer finds no shortfall for the unit.</source>
            <translation>将一个整治单元沿 储备 → 立项 → 实施 → 验收 → 备案 推进：修改整治单元图层（并保存），并在状态变更记录（整治单元所在 GeoPackage 的 unit_status_history 表）中写入一行（操作人、时间、原状态、新状态、原因）。
校验：只能前进到下一状态；退回须填写原因；单元没有错误级数据检查问题时才能立项（此处运行数据检查，可选三区三线图层）；用实施结果图层验收比对无缺口时才能验收。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Acceptance check (验收: planned vs achieved)</source>
            <translation>验收比对（规划与实际完成）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Compares the achieved state — a layer of completed works or a later survey (年度变更调查) with a land-class field — with the plan, per unit, remediation type and class after: the planned area (TBMJ × the parcel's share in the unit) and the part of it the achieved layer shows in the planned class (classes match on their first digits: acceptance_match_digits of the rule pack, 2 = 一级类). A row is short when the achieved area is below the planned one by more than the pack's acceptance_tolerance_ratio.</source>
            <translation>按单元、整治类型和整治后地类，将实施结果（竣工图斑或后续年度变更调查，须有地类字段）与规划比对：规划面积（TBMJ × 图斑在单元内的比例）及其中实施结果图层显示为规划地类的部分（地类按编码前几位比对：规则包的 acceptance_match_digits，2 为一级类）。实际完成面积低于规划面积超过规则包 acceptance_tolerance_ratio 的，记为未完成。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Project progress report (XLSX)</source>
            <translation>项目进度报告（XLSX）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Writes the project progress as an Excel workbook: units and areas by life-cycle status (储备, 立项, 实施, 验收, 备案), one row per unit with its status and since when, and — with an achieved layer — the acceptance table (planned vs achieved per unit, type and class, shortfall), and the status history of the units' GeoPackage.</source>
            <translation>将项目进度写成 Excel 工作簿：按状态（储备、立项、实施、验收、备案）汇总的单元数和面积；每个单元一行，含状态及起始时间；给出实施结果图层时附验收比对表（按单元、类型、地类的规划与实际完成面积及缺口）；以及整治单元 GeoPackage 中的状态变更记录。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Achieved layer: completed works or a later survey (年度变更调查)</source>
            <translation>实施结果图层：竣工图斑或后续调查（年度变更调查）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Land-class field of the achieved layer (default: DLBM)</source>
            <translation>实施结果图层的地类字段（默认：DLBM）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Unit code</source>
            <translation>单元编号</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Status before</source>
            <translation>原状态</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Status after</source>
            <translation>新状态</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Where the history is kept</source>
            <translation>状态变更记录的位置</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Acceptance table</source>
            <translation>验收比对表</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Rows with a shortfall</source>
            <translation>未完成的行数</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/lifecycle.py"/>
            <source>Progress workbook</source>
            <translation>进度工作簿</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Plan report (structure table, XLSX)</source>
            <translation>方案报表（结构调整表，XLSX）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Writes the 整治前后土地利用结构调整表 (land-use structure before and after consolidation: 三大类, 一级类 and 二级类 rows with the area before, after and the change in 公顷 and 亩) and the indicator table of the rule pack as an Excel workbook: one sheet for the whole project (全项目) and one per remediation unit. Optionally the same tables as CSV (UTF-8, opens in Excel).
Unit codes: a comma-separated list limits the unit sheets (default: every unit).
Unit maps: give a folder to also write an A3 plan map of each unit as PDF (parcels coloured by remediation type, legend, scale bar, north arrow, the unit's structure table and indicators).</source>
            <translation>将整治前后土地利用结构调整表（三大类、一级类、二级类，整治前、整治后面积及变化量，单位公顷和亩）和规则包指标表写为 Excel 工作簿：全项目一张工作表，每个整治单元一张。也可同时输出 CSV（UTF-8，可用 Excel 打开）。
单元编号：以逗号分隔，限定输出的单元工作表（默认全部单元）。
整治单元图：指定文件夹时，另为每个整治单元输出一幅 A3 规划图（PDF：按整治类型着色的图斑、图例、比例尺、指北针，以及本单元的结构调整表和指标结论）。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Chinese headers and land-class names</source>
            <translation>使用中文表头和地类名称</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Report workbook</source>
            <translation>报表工作簿</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Structure table (CSV)</source>
            <translation>结构调整表（CSV）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Indicator table (CSV)</source>
            <translation>指标表（CSV）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>Unit maps (one PDF per unit)</source>
            <translation>整治单元图（每个单元一个 PDF）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/plan_report.py"/>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Suggestions for a failing unit (达标建议)</source>
            <translation>不达标单元的达标建议</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Ranks the untagged parcels of a unit whose tagging would make a failing rule pass, with the remediation type and the class after for each (the moves of the rule pack's 'suggest' section that the type allows from the parcel's class before). Never in the ecological red line, never reducing PBF, and no rule that passes now may fail. The plan is the set with the fewest parcels (or the least area, as the pack says), then next to farmland, then flat (GDPDJB).
Each candidate is a feature: rank, in_plan (1 for the plan), the move, its area and gain, and the rule's value if the top k were tagged. When no plan reaches the threshold, REACHED is 0 and VALUE_AFTER is the most the candidates reach together.</source>
            <translation>对整治单元内未标注的图斑排序：标注这些图斑可使不达标的规则达标，并给出每个图斑的整治类型和规划地类（规则包 suggest 部分列出、且整治类型允许从该图斑现状地类出发的整治方式）。不选生态保护红线内的图斑，不减少永久基本农田，已达标的规则不得因此不达标。方案按图斑最少（或按规则包设定面积最小）选取，其次与耕地相邻，再次坡度平缓（GDPDJB）。
每个候选图斑为一个要素：排序、in_plan（属于方案为 1）、整治方式、面积和贡献，以及标注前 k 个图斑后的规则值。没有方案能达标时，REACHED 为 0，VALUE_AFTER 为全部候选合计最多可达的值。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Unit code (DYBH)</source>
            <translation>整治单元编号（DYBH）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Rule id to reach (default: the unit's first failing rule)</source>
            <translation>要达到的规则编号（默认：单元第一个不达标的规则）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>1 when the plan reaches the threshold</source>
            <translation>方案达标时为 1</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Number of parcels in the plan</source>
            <translation>方案中的图斑数</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/suggest.py"/>
            <source>Value of the rule with the plan</source>
            <translation>按方案标注后的规则值</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Validate remediation units</source>
            <translation>检查整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Checks the remediation unit layer before a balance is computed: empty or invalid geometries, missing or duplicate unit codes (DYBH), units overlapping each other by more than the tolerance (errors), and parts of units outside the project boundary (warnings; units should nest in it). Every problem becomes a feature of the output layer with its severity, code, message and area (m²); geometries are the overlapping or outside parts, in the working CRS (a Gauss–Krüger zone for geographic layers).</source>
            <translation>在计算平衡之前检查整治单元图层：空几何或无效几何、单元编号（DYBH）缺失或重复、单元之间重叠超过容差（错误），以及单元超出项目范围的部分（警告；单元应位于项目范围内）。每个问题输出为一个要素，包含级别、代码、说明和面积（m²）；几何为重叠或超出的部分，坐标系为工作坐标系（地理坐标图层为相应的高斯-克吕格投影带）。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Unit problems</source>
            <translation>整治单元问题</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/validate_units.py"/>
            <source>Choose a remediation unit layer.</source>
            <translation>请选择整治单元图层。</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py"/>
            <source>Land consolidation</source>
            <translation>全域土地综合整治</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py"/>
            <source>Land consolidation planning (全域土地综合整治)</source>
            <translation>全域土地综合整治规划</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py"/>
            <source>Processing algorithm {name} was not added (duplicate id?)</source>
            <translation>处理算法 {name} 未能添加（ID 重复？）</translation>
        </message>
        <message>
            <location filename="../plugin/processing/provider.py"/>
            <source>Processing algorithm {name} could not be loaded:</source>
            <translation>无法加载处理算法 {name}：</translation>
        </message>
        <message>
            <source>This project commits its layers through QGIS's buffered transaction groups (Project Properties &gt; Data Sources &gt; Transaction mode), which the plugin cannot check against the versions you saw. Conflict checks are off: saving may overwrite another planner's change of the same parcel or unit without warning. For checked saves choose "Local Edit Buffer" or "Automatic Transaction Groups".</source>
            <translation type="obsolete">本项目通过 QGIS 的缓冲事务组（项目属性 &gt; 数据源 &gt; 事务模式）提交各图层，插件无法据您所读的版本对其进行检查。冲突检查已关闭：保存可能在没有任何提示的情况下覆盖另一位规划人员对同一图斑或整治单元的修改。要让保存受到检查，请选择“本地编辑缓冲区”（Local Edit Buffer）或“自动事务组”（Automatic Transaction Groups）。</translation>
        </message>
        <message>
            <source>Township {0}</source>
            <translation type="obsolete">乡镇 {0}</translation>
        </message>
        <message>
            <source>hover for the reason</source>
            <translation type="obsolete">将鼠标悬停查看原因</translation>
        </message>
        <message>
            <source>This project sends edits through QGIS's transaction groups (Project Properties &gt; Data Sources): they reach the database without the plugin's check of the versions you saw. Conflict checks are off: saving may overwrite another planner's change of the same parcel or unit without warning. For checked saves set the transaction mode to "Local Edit Buffer" (QGIS 3.22: untick "Automatically create transaction groups where possible").</source>
            <translation type="obsolete">本项目通过 QGIS 的事务组（项目属性 &gt; 数据源）发送编辑：编辑进入数据库时不经过插件对您所读版本的检查。冲突检查已关闭：保存可能在没有任何提示的情况下覆盖另一位规划人员对同一图斑或整治单元的修改。要让保存受到检查，请将事务模式设为“本地编辑缓冲区”（Local Edit Buffer；QGIS 3.22：取消勾选“尽可能自动创建事务组”（Automatically create transaction groups where possible））。</translation>
        </message>
        <message>
            <source>{0} survey parcels (BSM) are in several pieces; --in-database does not share their TBMJ between the pieces yet: run the balance without --in-database</source>
            <translation type="obsolete">有 {0} 个调查图斑（BSM）被分割为多块；--in-database 暂不在分块之间分摊 TBMJ：请不加 --in-database 计算平衡</translation>
        </message>
        <message>
            <source>Area balance of every remediation unit and of the whole project: land-class areas before and after consolidation (m², from TBMJ apportioned by the share of each parcel inside a unit) and the indicators of the chosen rule pack (新增耕地率, 永农净增, 建设用地变化…).

Writes a GeoPackage with the tables 'balance' (unit_code, dlbm, area_before_m2, area_after_m2; unit_code '*' = whole project) and 'indicators' (unit_code, rule_id, value, threshold, passed, severity, reason; passed NULL with a reason = not assessable), the same tables as the command 'python -m plugin.cli balance'. The two tables can also be loaded as layers.

Compute inside the database (advanced): when the parcels, units and permanent basic farmland are PostGIS layers of one database, the balance is computed there with SQL (only sums leave the server), as 'python -m plugin.cli balance --in-database'.</source>
            <translation type="obsolete">计算每个整治单元及全项目的面积平衡：整治前后各地类面积（m²，按图斑在单元内的面积比例分摊 TBMJ）以及所选规则包的指标（新增耕地率、永农净增、建设用地变化等）。

写出 GeoPackage，含表 'balance'（unit_code、dlbm、area_before_m2、area_after_m2；unit_code 为 '*' 表示全项目）和 'indicators'（unit_code、rule_id、value、threshold、passed、severity、reason；passed 为空且 reason 有内容表示不可评估），与命令 'python -m plugin.cli balance' 的输出相同。这两张表也可作为图层加载。

在数据库内计算（高级）：地块、整治单元与永久基本农田为同一数据库中的 PostGIS 图层时，用 SQL 在数据库内计算平衡（只有汇总值离开服务器），与 'python -m plugin.cli balance --in-database' 相同。</translation>
        </message>
        <message>
            <source>Area balance of every remediation unit and of the whole project: land-class areas before and after consolidation (m², from TBMJ apportioned by the share of each parcel inside a unit) and the indicators of the chosen rule pack (新增耕地率, 永农净增, 建设用地变化…).

Writes a GeoPackage with the tables 'balance' (unit_code, dlbm, area_before_m2, area_after_m2; unit_code '*' = whole project) and 'indicators' (unit_code, rule_id, value, threshold, passed, severity, reason; passed NULL with a reason = not assessable), the same tables as the command 'python -m plugin.cli balance'. The two tables can also be loaded as layers.</source>
            <translation type="obsolete">计算每个整治单元及全项目的面积平衡：整治前后各地类面积（m²，按图斑在单元内的面积比例分摊 TBMJ）以及所选规则包的指标（新增耕地率、永农净增、建设用地变化等）。

写出 GeoPackage，含表 'balance'（unit_code、dlbm、area_before_m2、area_after_m2；unit_code 为 '*' 表示全项目）和 'indicators'（unit_code、rule_id、value、threshold、passed、severity、reason；passed 为空且 reason 有内容表示不可评估），与命令 'python -m plugin.cli balance' 的输出相同。这两张表也可作为图层加载。</translation>
        </message>
        <message>
            <source>English</source>
            <translation type="obsolete">中文</translation>
        </message>
        <message>
            <source>{0} mu ({1} m²)</source>
            <translation type="obsolete">{0} 亩（{1} 平方米）</translation>
        </message>
        <message>
            <source>Findings: {0} errors, {1} warnings, {2} notes</source>
            <translation type="obsolete">检查结果：{0} 个错误，{1} 个警告，{2} 个提示</translation>
        </message>
        <message>
            <source>{0} errors, {1} warnings, {2} notes</source>
            <translation type="obsolete">{0} 个错误，{1} 个警告，{2} 个提示</translation>
        </message>
        <message>
            <source>{0} parcels have no TBMJ; their area was measured on the CGCS2000 ellipsoid</source>
            <translation type="obsolete">有 {0} 个图斑没有图斑面积（TBMJ），已按 CGCS2000 椭球面积计算</translation>
        </message>
        <message>
            <source>Area balance of every remediation unit and of the whole project: land-class areas before and after consolidation (m², from TBMJ apportioned by the share of each parcel inside a unit) and the indicators of the chosen rule pack (新增耕地率, 永农净增, 建设用地变化…).

Writes a GeoPackage with the tables 'balance' (unit_code, dlbm, area_before_m2, area_after_m2; unit_code '*' = whole project) and 'indicators' (unit_code, rule_id, value, threshold, passed, severity), the same tables as the command 'python -m plugin.cli balance'. The two tables can also be loaded as layers.</source>
            <translation type="obsolete">计算每个整治单元及全项目的面积平衡：整治前后各地类面积（m²，按图斑在单元内的面积比例分摊 TBMJ）以及所选规则包的指标（新增耕地率、永农净增、建设用地变化等）。

写出 GeoPackage，含表 'balance'（unit_code、dlbm、area_before_m2、area_after_m2；unit_code 为 '*' 表示全项目）和 'indicators'（unit_code、rule_id、value、threshold、passed、severity），与命令 'python -m plugin.cli balance' 的输出相同。这两张表也可作为图层加载。</translation>
        </message>
        <message>
            <source>In a terminal, run: {pip_command} (Ubuntu 24.04 and newer can use: {apt_command}; Debian 12's python3-shapely is 1.8, too old)</source>
            <translation type="obsolete">请在终端中运行：{pip_command}（Ubuntu 24.04 及以上版本也可运行：{apt_command}；Debian 12 自带的 python3-shapely 为 1.8 版，版本过低）</translation>
        </message>
        <message>
            <source>Cannot write {0}: the disk is full.</source>
            <translation type="obsolete">无法写入 {0}：磁盘空间已满。</translation>
        </message>
        <message>
            <source>Rule pack {0} is not valid JSON: {1}</source>
            <translation type="obsolete">规则包 {0} 不是有效的 JSON：{1}</translation>
        </message>
        <message>
            <source>{0}: a required key is missing: {1}</source>
            <translation type="obsolete">{0}：缺少必需的键：{1}</translation>
        </message>
        <message>
            <source>{0}: rule {1} uses unknown variables: {2}</source>
            <translation type="obsolete">{0}：规则 {1} 使用了未知变量：{2}</translation>
        </message>
        <message>
            <source>{0}: rule {1} has an unknown comparison {2}</source>
            <translation type="obsolete">{0}：规则 {1} 的比较运算符 {2} 无法识别</translation>
        </message>
        <message>
            <source>{0}: rule {1}: severity must be error or warning</source>
            <translation type="obsolete">{0}：规则 {1}：严重程度必须为 error 或 warning</translation>
        </message>
        <message>
            <source>{0}: flow {1} names unknown category {2}</source>
            <translation type="obsolete">{0}：流向 {1} 引用了未知类别 {2}</translation>
        </message>
        <message>
            <source>&lt;b&gt;{0}&lt;/b&gt; parcels selected, {1} 亩 ({2} already tagged)</source>
            <translation type="obsolete">已选 &lt;b&gt;{0}&lt;/b&gt; 个图斑，共 {1} 亩（其中 {2} 个已标注）</translation>
        </message>
        <message>
            <source>Area (亩)</source>
            <translation type="obsolete">面积（亩）</translation>
        </message>
        <message>
            <source>(unverified)</source>
            <translation type="obsolete">（待核实）</translation>
        </message>
        <message>
            <source>Pass</source>
            <translation type="obsolete">达标</translation>
        </message>
        <message>
            <source>Fail</source>
            <translation type="obsolete">不达标</translation>
        </message>
        <message>
            <source>Source: {0}</source>
            <translation type="obsolete">依据：{0}</translation>
        </message>
        <message>
            <source>Unverified rule: check it against the current policy text.</source>
            <translation type="obsolete">该规则待核实：请对照现行政策文件检查。</translation>
        </message>
        <message>
            <source>No rule applies yet (nothing tagged in this unit)</source>
            <translation type="obsolete">暂无适用的规则（该单元内尚未标注图斑）</translation>
        </message>
        <message>
            <source>Show or hide the remediation units (整治单元) panel</source>
            <translation type="obsolete">显示或隐藏“整治单元”面板</translation>
        </message>
        <message>
            <source>Show or hide the parcel tagging (图斑标注) panel</source>
            <translation type="obsolete">显示或隐藏“图斑标注”面板</translation>
        </message>
        <message>
            <source>Show or hide the area balance (面积平衡) panel</source>
            <translation type="obsolete">显示或隐藏“面积平衡”面板</translation>
        </message>
        <message>
            <source>Layers</source>
            <translation type="obsolete">图层</translation>
        </message>
        <message>
            <source>Field mapping</source>
            <translation type="obsolete">字段映射</translation>
        </message>
        <message>
            <source>Detected fields of the parcel layer; choose another field where the detection is wrong.</source>
            <translation type="obsolete">以下为自动识别的图斑字段；识别有误时请改选其他字段。</translation>
        </message>
        <message>
            <source>TBMJ is in mu (亩), not m²</source>
            <translation type="obsolete">图斑面积 TBMJ 的单位是亩，不是平方米</translation>
        </message>
        <message>
            <source>Policy rules</source>
            <translation type="obsolete">政策规则</translation>
        </message>
        <message>
            <source>Meaning</source>
            <translation type="obsolete">含义</translation>
        </message>
        <message>
            <source>Layer field</source>
            <translation type="obsolete">图层字段</translation>
        </message>
        <message>
            <source>No remediation unit with the code(s) {0}</source>
            <translation type="obsolete">没有编号为 {0} 的整治单元</translation>
        </message>
        <message>
            <source>Give --out (XLSX) and/or --csv / --indicators-csv.</source>
            <translation type="obsolete">请指定 --out（XLSX）和/或 --csv / --indicators-csv。</translation>
        </message>
        <message>
            <source>Writes the 整治前后土地利用结构调整表 (land-use structure before and after consolidation: 三大类, 一级类 and 二级类 rows with the area before, after and the change in 公顷 and 亩) and the indicator table of the rule pack as an Excel workbook: one sheet for the whole project (全项目) and one per remediation unit. Optionally the same tables as CSV (UTF-8, opens in Excel).
Unit codes: a comma-separated list limits the unit sheets (default: every unit).</source>
            <translation type="obsolete">将整治前后土地利用结构调整表（三大类、一级类、二级类，整治前、整治后面积及变化量，单位公顷和亩）和规则包指标表写为 Excel 工作簿：全项目一张工作表，每个整治单元一张。也可同时输出 CSV（UTF-8，可用 Excel 打开）。
单元编号：以逗号分隔，限定输出的单元工作表（默认全部单元）。</translation>
        </message>
        <message>
            <source>required</source>
            <translation type="obsolete">必需</translation>
        </message>
        <message>
            <source>Parcel tagging (图斑标注) will be here: pick parcels on the map and give them a remediation type and the land class after consolidation.</source>
            <translation type="obsolete">此处将进行图斑标注：在地图上选择图斑，为其指定整治类型和整治后地类。</translation>
        </message>
        <message>
            <source>Remediation units (整治单元) will be listed here: draw, name and select units, and see each unit's parcels.</source>
            <translation type="obsolete">此处将列出整治单元：绘制、命名和选择整治单元，并查看每个单元内的图斑。</translation>
        </message>
        <message>
            <source>The area balance (面积平衡) will be shown here: per unit, land class areas before and after, and whether farmland, permanent basic farmland, construction and ecological land meet the policy rules.</source>
            <translation type="obsolete">此处将显示面积平衡：按整治单元列出整治前后各地类面积，以及耕地、永久基本农田、建设用地和生态用地是否满足政策要求。</translation>
        </message>
        <message>
            <source>Land Consolidation needs more Python packages: {problems}. {fix}. Then restart QGIS.</source>
            <translation type="obsolete">全域土地综合整治插件缺少所需的 Python 包：{problems}。{fix}。然后重新启动 QGIS。</translation>
        </message>
    </context>
    <context>
        <name>SetupDialogBase</name>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Project set-up</source>
            <translation>项目设置</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Layers</source>
            <translation>图层</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Parcels (三调 DLTB)</source>
            <translation>地类图斑（三调 DLTB）</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Remediation units</source>
            <translation>整治单元</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Permanent basic farmland</source>
            <translation>永久基本农田</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Ecological red line</source>
            <translation>生态保护红线</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Urban growth boundary</source>
            <translation>城镇开发边界</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Field mapping</source>
            <translation>字段映射</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Detected fields of the parcel layer; choose another field where the detection is wrong.</source>
            <translation>以下为自动识别的图斑字段；识别有误时请改选其他字段。</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Meaning</source>
            <translation>含义</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Layer field</source>
            <translation>图层字段</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>TBMJ is in mu (亩), not m²</source>
            <translation>图斑面积 TBMJ 的单位是亩，不是平方米</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Rule pack</source>
            <translation>规则包</translation>
        </message>
        <message>
            <location filename="../ui/setup_dialog.ui"/>
            <source>Policy rules</source>
            <translation>政策规则</translation>
        </message>
    </context>
</TS>
