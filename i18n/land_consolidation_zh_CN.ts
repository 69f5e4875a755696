<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>LandConsolidation</name>
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
            <source>Land Consolidation needs more Python packages: {problems}. {fix}. Then restart QGIS.</source>
            <translation>全域土地综合整治插件缺少所需的 Python 包：{problems}。{fix}。然后重新启动 QGIS。</translation>
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
            <location filename="../plugin/main.py"/>
            <source>Area balance</source>
            <translation>面积平衡</translation>
        </message>
        <message>
            <location filename="../plugin/gui/balance_dock.py"/>
            <source>The area balance (面积平衡) will be shown here: per unit, land class areas before and after, and whether farmland, permanent basic farmland, construction and ecological land meet the policy rules.</source>
            <translation>此处将显示面积平衡：按整治单元列出整治前后各地类面积，以及耕地、永久基本农田、建设用地和生态用地是否满足政策要求。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <location filename="../plugin/main.py"/>
            <source>Land Consolidation</source>
            <translation>全域土地综合整治</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <source>{action} failed: {error}. Details are in the log panel (View &gt; Panels &gt; Log Messages, tab LandConsolidation).</source>
            <translation>{action}失败：{error}。详细信息见日志面板（视图 &gt; 面板 &gt; 日志消息，LandConsolidation 选项卡）。</translation>
        </message>
        <message>
            <location filename="../plugin/gui/errors.py"/>
            <source>{action} failed:</source>
            <translation>{action}失败：</translation>
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
            <location filename="../plugin/main.py"/>
            <source>Remediation units</source>
            <translation>整治单元</translation>
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
            <source>Creating the {name} panel</source>
            <translation>创建“{name}”面板</translation>
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
    </context>
</TS>
