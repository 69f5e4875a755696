<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>LandConsolidation</name>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>Write a demo township (三调 parcels, PBF, control lines, units, plan) to a GeoPackage.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>output GeoPackage path (overwritten)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>number of DLTB parcels</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>random seed; the same seed gives the same file</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>number of remediation units</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>share of parcels inside units that carry a plan</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>add data-quality quirks (unknown land class, missing area)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>--parcels must be at least 200</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>--tagged-share must be between 0 and 1</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>generated in {gen:.1f} s, written in {write:.1f} s</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/demo_writer.py"/>
            <source>Cannot create the GeoPackage {path}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <location filename="../plugin/gui/units_dock.py"/>
            <location filename="../plugin/main.py"/>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Remediation units</source>
            <translation>整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Untagged (class unchanged)</source>
            <translation>未标注（地类不变）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Parcels of the plan</source>
            <translation>整治图斑</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Export cancelled; no file was written.</source>
            <translation>已取消导出，未写入任何文件。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Land consolidation plan: {0}</source>
            <translation>全域土地综合整治方案：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Remediation units (整治单元) with their ellipsoidal area</source>
            <translation>整治单元及其椭球面积</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Parcels (三调 DLTB) of the units, clipped at the unit boundary; TBMJ, KCMJ, TBDLMJ apportioned by share</source>
            <translation>整治单元内的三调地类图斑，按单元边界裁切；TBMJ、KCMJ、TBDLMJ 按面积比例分摊</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>For one file per unit, the output must be a folder: {0}</source>
            <translation>按单元分别导出时，输出位置必须是文件夹：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>三调 parcels clipped at the unit boundary; areas in m², apportioned by share</source>
            <translation>按整治单元边界裁切的三调图斑；面积单位为平方米，按比例分摊</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>The GeoPackage {0} failed validation: {1}</source>
            <translation>GeoPackage 文件 {0} 未通过校验：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>The folder {0} does not exist.</source>
            <translation>文件夹 {0} 不存在。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>{0} exists already; choose another name or allow overwriting.</source>
            <translation>{0} 已存在；请换一个文件名，或选择允许覆盖。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>No remediation unit has the code(s) {0}; the units are: {1}</source>
            <translation>没有编号为 {0} 的整治单元；现有单元：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>The unit codes {0} and {1} give the same file name; make the codes distinct.</source>
            <translation>单元编号 {0} 与 {1} 生成的文件名相同，请修改编号使其区分。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Cannot reopen the layers just written to {0}</source>
            <translation>无法重新打开刚写入 {0} 的图层</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/common.py"/>
            <location filename="../plugin/main.py"/>
            <source>Area balance</source>
            <translation>面积平衡</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Indicators</source>
            <translation>指标</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Rule pack</source>
            <translation>规则包</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Cannot store the QGIS project in {0}: {1}</source>
            <translation>无法将 QGIS 工程保存到 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Cannot finish {0}: {1}</source>
            <translation>无法完成 {0} 的写入：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Cannot finish {0}: another program keeps it open.</source>
            <translation>无法完成 {0} 的写入：该文件正被其他程序占用。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Cannot create {0}: {1}</source>
            <translation>无法创建 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot write {0}: {1}</source>
            <translation>无法写入 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Exported on {0} by Land Consolidation Planner {1} (rule pack {2})</source>
            <translation>{0} 由全域土地综合整治规划助手 {1} 导出（规则包 {2}）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Source {0}: {1} ({2})</source>
            <translation>数据来源 {0}：{1}（{2}）</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Cannot store the style of {0} in {1}: {2}</source>
            <translation>无法将 {0} 的样式保存到 {1}：{2}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/export.py"/>
            <source>Cannot create the folder {0}: {1}</source>
            <translation>无法创建文件夹 {0}：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot write to {0}: the folder is read-only or you lack permission.</source>
            <translation>无法写入 {0}：该文件夹为只读，或您没有写入权限。</translation>
        </message>
        <message>
            <location filename="../plugin/adapters/gpkg.py"/>
            <source>Cannot write {0}: the disk is full.</source>
            <translation>无法写入 {0}：磁盘空间已满。</translation>
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
            <location filename="../plugin/adapters/layers.py"/>
            <source>Cannot open the {0} layer: {1}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>The {0} layer is not a polygon layer: {1}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>The layer {0} has no valid coordinate reference system; set one in its properties.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>The parcel layer {0} lacks the required field(s) {1}; map them in the field mapping.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>{0} parcels have no TBMJ; their area was measured on the CGCS2000 ellipsoid</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>The units layer {0} has no field {1}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/layers.py"/>
            <source>The units layer {0} has no features: draw at least one remediation unit.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>Land consolidation: computing the balance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The live balance lost track of some features; recomputing in full.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The live balance could not apply an edit; it is being recomputed in full.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The layer {0} was removed; the live balance stopped.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The live balance could not be updated.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The balance could not be computed; see the message log for details.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>A layer of the live balance is no longer available.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/adapters/live.py"/>
            <source>The live balance could not follow an edit.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>n/a</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Whole project</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>parcel (三调 DLTB) source, e.g. file.gpkg|layername=DLTB</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>remediation units source</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>permanent basic farmland source (optional)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>rule pack id or JSON file (default: national)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>unit code field (default: DYBH)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>TBMJ, KCMJ, TBDLMJ are in mu, not m²</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>Land consolidation balance tools</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>area balance and indicators per unit -&gt; GeoPackage tables</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>output GeoPackage</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>build the demo township, compute its balance and export the plan</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>folder for the demo files (default: demo_output)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>number of parcels (default: 3500)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>make the demo data again even if present</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>{0} mu ({1} m²)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>Rule pack: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>PASS</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>FAIL</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>Error: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <location filename="../plugin/cli_export.py"/>
            <source>parcel</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <location filename="../plugin/cli_export.py"/>
            <source>units</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <location filename="../plugin/cli_export.py"/>
            <source>Written: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>Unit {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <location filename="../plugin/cli_export.py"/>
            <source>Warning: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <location filename="../plugin/cli_export.py"/>
            <source>permanent basic farmland</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>Demo data: {0} ({1} parcels, {2} units)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>required</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli.py"/>
            <source>{0}: before {1} mu ({2} m²), after {3} mu ({4} m²), change {5} mu</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/cli_export.py"/>
            <source>plan GeoPackage: units, clipped parcels, balance, styles, QGIS project</source>
            <translation>导出方案 GeoPackage：整治单元、裁切后的图斑、面积平衡表、样式和 QGIS 工程</translation>
        </message>
        <message>
            <location filename="../plugin/cli_export.py"/>
            <source>export only these units (codes, e.g. ZZDY-001 ZZDY-004)</source>
            <translation>只导出这些整治单元（填写编号，如 ZZDY-001 ZZDY-004）</translation>
        </message>
        <message>
            <location filename="../plugin/cli_export.py"/>
            <source>one GeoPackage per unit: --out is a folder, files are named &lt;DYBH&gt;.gpkg</source>
            <translation>每个整治单元一个 GeoPackage：--out 为文件夹，文件名为 &lt;DYBH&gt;.gpkg</translation>
        </message>
        <message>
            <location filename="../plugin/cli_export.py"/>
            <source>replace existing output files</source>
            <translation>覆盖已存在的输出文件</translation>
        </message>
        <message>
            <location filename="../plugin/cli_export.py"/>
            <source>plan title stored in the metadata</source>
            <translation>写入元数据的方案名称</translation>
        </message>
        <message>
            <location filename="../plugin/cli_export.py"/>
            <source>planner's name stored in the metadata (default: QGIS user)</source>
            <translation>写入元数据的编制人姓名（默认：QGIS 用户名）</translation>
        </message>
        <message>
            <location filename="../plugin/cli_export.py"/>
            <source>output GeoPackage (or folder with --per-unit)</source>
            <translation>输出 GeoPackage 文件（使用 --per-unit 时为文件夹）</translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Permanent basic farmland moved out ({0} m²) exceeds that brought in ({1} m²) by {2} m²</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit feature {0} has no code (DYBH)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit {0} has no geometry</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit {0} has an invalid geometry: {1}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit {0} has no area</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit code {0} is used by {1} features</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>The farmland brought into PBF has no quality grade (GDDB); the PBF moved out has mean grade {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Units {0} and {1} overlap by {2} m²</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Unit {0} extends {1} m² beyond the project boundary</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: unknown remediation type {1}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: new construction on {1} m² inside the ecological red line</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>The PBF brought in is of lower quality (mean GDDB grade {0}) than the PBF moved out (mean grade {1}); grade 1 is best</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: remediation type {1} does not produce land class {2} (allowed: {3})</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: new construction on {1} m² of permanent basic farmland</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/checks.py"/>
            <source>Parcel {0}: new construction on {1} m² outside the urban growth boundary</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/engine.py"/>
            <source>Unknown land-class codes, counted as 'unknown': {0}</source>
            <translation>未知的地类编码，按“未知”统计：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/engine.py"/>
            <source>{0} parcels have no TBMJ; their area was measured from the geometry</source>
            <translation>{0} 个图斑没有图斑面积（TBMJ），已按几何图形量算面积</translation>
        </message>
        <message>
            <location filename="../plugin/core/engine.py"/>
            <source>{0} parcels have no usable geometry and belong to no unit</source>
            <translation>{0} 个图斑没有可用的几何图形，不属于任何整治单元</translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Total</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Category</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Group</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Class code</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Class</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Pass</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Not applicable</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Indicator</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Value</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Comparison</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Threshold</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Result</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Severity</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Unit of value</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Source</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Unknown class</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Before</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>After</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Change</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Fail</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Warning</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>Error</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>ratio</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/report.py"/>
            <source>(unverified)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Rule pack {0} extends itself through {1}</source>
            <translation>规则包 {0} 通过 {1} 继承了自身（循环继承）</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Rule pack not found: {0}</source>
            <translation>找不到规则包：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Rule pack {0} is not valid JSON: {1}</source>
            <translation>规则包 {0} 不是有效的 JSON：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>{0}: a required key is missing: {1}</source>
            <translation>{0}：缺少必需的键：{1}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Formula is not valid arithmetic: {0}</source>
            <translation>公式不是有效的算术表达式：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>{0}: rule {1} uses unknown variables: {2}</source>
            <translation>{0}：规则 {1} 使用了未知变量：{2}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>{0}: rule {1} has an unknown comparison {2}</source>
            <translation>{0}：规则 {1} 的比较运算符 {2} 无法识别</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>{0}: rule {1}: severity must be error or warning</source>
            <translation>{0}：规则 {1}：严重程度必须为 error 或 warning</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>{0}: flow {1} names unknown category {2}</source>
            <translation>{0}：流向 {1} 引用了未知类别 {2}</translation>
        </message>
        <message>
            <location filename="../plugin/core/rules.py"/>
            <source>Formula may only use numbers, variables, + - * / ( ) and min, max, abs: {0}</source>
            <translation>公式只能使用数字、变量、+ - * / ( ) 以及 min、max、abs：{0}</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>any version</source>
            <translation>任意版本</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>In a terminal, run: {pip_command} (Ubuntu 24.04 and newer can use: {apt_command}; Debian 12's python3-shapely is 1.8, too old)</source>
            <translation>请在终端中运行：{pip_command}（Ubuntu 24.04 及以上版本也可运行：{apt_command}；Debian 12 自带的 python3-shapely 为 1.8 版，版本过低）</translation>
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
            <source>In a terminal, run: {command}</source>
            <translation>请在终端中运行：{command}</translation>
        </message>
        <message>
            <location filename="../plugin/deps.py"/>
            <source>{package} is not installed (needed: {required})</source>
            <translation>未安装 {package}（需要：{required}）</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Updating the area balance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Copying the balance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Saving the balance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Recomputing the balance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Cancelling the computation</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Opening the project set-up</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Each unit</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Selected unit</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Copy</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Copy both tables to the clipboard (tab-separated, for Excel/WPS)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Save as CSV/XLSX…</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Recompute</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Recompute the whole balance from the layers</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Computing the balance… %p%</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Cancel</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>The balance was copied; paste it into Excel or WPS.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Save the balance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Scope</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Area unit</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Land class</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Unit</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Requirement</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Select a remediation unit in the units panel or on the map.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Not set up: choose the parcel and units layers in the project set-up.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Parcels: {0} · Units: {1}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>No balance yet: draw at least one remediation unit.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>There is no balance to save yet.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Saving as XLSX needs the Python package openpyxl, which is not installed (pip install openpyxl). Save as CSV instead.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>The balance was saved to {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Source: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>not given</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Unverified rule: check it against the current policy text.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Rules: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Level</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Code</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Formula: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>Land use structure</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/common.py"/>
            <source>Project set-up…</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <source>{action} failed: {error}. Details are in the log panel (View &gt; Panels &gt; Log Messages, tab LandConsolidation).</source>
            <translation>{action}失败：{error}。详细信息见日志面板（视图 &gt; 面板 &gt; 日志消息，LandConsolidation 选项卡）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <location filename="../plugin/main.py"/>
            <source>Land Consolidation</source>
            <translation>全域土地综合整治</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <source>{action} failed:</source>
            <translation>{action}失败：</translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>The layer {0} was removed from the project; open the project set-up to choose another one.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>The layer {0} does not allow new fields; save it as a GeoPackage first.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>Cannot add the plan fields to the layer {0}: {1}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>Cannot add the field {0} to the layer {1}.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>The rule pack {0} cannot be used ({1}); the national pack is used instead.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>Recomputing the balance failed: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/session.py"/>
            <source>Restoring the land consolidation set-up failed: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Choosing the rule pack</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Project set-up</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Layers</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Parcels (三调 DLTB)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Permanent basic farmland</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Ecological red line</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Urban growth boundary</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Field mapping</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Detected fields of the parcel layer; choose another field where the detection is wrong.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>TBMJ is in mu (亩), not m²</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Load JSON…</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Policy rules</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Apply</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Load a rule pack</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Rule pack (*.json)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Land class code (DLBM)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Parcel area (TBMJ)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Deduction coefficient (KCXS)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Deducted area (KCMJ)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Deducted class (KCDLBM)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Net class area (TBDLMJ)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Parcel id (BSM)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Remediation type (ZZLX)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Land class after (GHDLBM)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Deduction coefficient after (GHKCXS)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>PBF action (YNCZ)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Meaning</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Layer field</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>(none)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Choose the parcel layer (三调 DLTB).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Choose a remediation units layer, or create one in the remediation units panel (New units layer…).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>(none: will be added)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>The parcel layer {0} lacks the plan fields {1}. Add them now? They are written to the layer's file at once (not as an edit to save); the land class before is not changed.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/setup_dialog.py"/>
            <source>Without the plan fields {0} parcels cannot be tagged.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <location filename="../plugin/main.py"/>
            <source>Parcel tagging</source>
            <translation>图斑标注</translation>
        </message>
        <message>
            <location filename="../plugin/gui/tagging_dock.py"/>
            <source>Parcel tagging (图斑标注) will be here: pick parcels on the map and give them a remediation type and the land class after consolidation.</source>
            <translation>此处将进行图斑标注：在地图上选择图斑，为其指定整治类型和整治后地类。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/units_dock.py"/>
            <source>Remediation units (整治单元) will be listed here: draw, name and select units, and see each unit's parcels.</source>
            <translation>此处将列出整治单元：绘制、命名和选择整治单元，并查看每个单元内的图斑。</translation>
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
            <source>Show or hide the remediation units (整治单元) panel</source>
            <translation>显示或隐藏“整治单元”面板</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show or hide the parcel tagging (图斑标注) panel</source>
            <translation>显示或隐藏“图斑标注”面板</translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Show or hide the area balance (面积平衡) panel</source>
            <translation>显示或隐藏“面积平衡”面板</translation>
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
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/main.py"/>
            <source>Creating the {name} panel</source>
            <translation>创建“{name}”面板</translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Balance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Checks</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Export</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Unit code field (default: DYBH)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Permanent basic farmland (optional)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Custom rule pack (JSON; replaces the rule pack above)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>TBMJ, KCMJ and TBDLMJ are in mu (亩), not m²</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Area tolerance (m²): overlaps smaller than this are ignored</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Choose a parcel layer and a remediation unit layer.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Cancelled; nothing was written.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>Unknown rule pack number {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/common.py"/>
            <source>The rule pack cannot be used: {0}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Compute balance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Area balance of every remediation unit and of the whole project: land-class areas before and after consolidation (m², from TBMJ apportioned by the share of each parcel inside a unit) and the indicators of the chosen rule pack (新增耕地率, 永农净增, 建设用地变化…).

Writes a GeoPackage with the tables 'balance' (unit_code, dlbm, area_before_m2, area_after_m2; unit_code '*' = whole project) and 'indicators' (unit_code, rule_id, value, threshold, passed, severity), the same tables as the command 'python -m plugin.cli balance'. The two tables can also be loaded as layers.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Balance GeoPackage</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Balance table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Indicator table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Number of units</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>Number of units failing an error rule</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin/processing/algorithms/compute_balance.py"/>
            <source>GeoPackage (*.gpkg)</source>
            <translation type="unfinished"></translation>
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
            <source>The area balance (面积平衡) will be shown here: per unit, land class areas before and after, and whether farmland, permanent basic farmland, construction and ecological land meet the policy rules.</source>
            <translation type="obsolete">此处将显示面积平衡：按整治单元列出整治前后各地类面积，以及耕地、永久基本农田、建设用地和生态用地是否满足政策要求。</translation>
        </message>
        <message>
            <source>Land Consolidation needs more Python packages: {problems}. {fix}. Then restart QGIS.</source>
            <translation type="obsolete">全域土地综合整治插件缺少所需的 Python 包：{problems}。{fix}。然后重新启动 QGIS。</translation>
        </message>
    </context>
</TS>
