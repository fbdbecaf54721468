"""Pollutant codes of HJ 212-2017 (附录B) that outlets commonly report, with names and units.

Names and units follow public HJ 212-2017 code tables (e.g. lingkejia/bocon-operation-app
src/lib/polcodeList17.js); a code not listed here is still stored and judged, shown by its code.
"""

# code: (name, concentration unit, unit of Cou — the amount emitted in the period)
POLLUTANTS = {
    "a21002": ("氮氧化物", "mg/m³", "kg"),
    "a21026": ("二氧化硫", "mg/m³", "kg"),
    "a34013": ("颗粒物（烟尘）", "mg/m³", "kg"),
    "a21005": ("一氧化碳", "mg/m³", "kg"),
    "a21024": ("氯化氢", "mg/m³", "kg"),
    "a24088": ("非甲烷总烃", "mg/m³", "kg"),
    "a19001": ("氧气含量", "%", ""),
    "a01011": ("烟气流速", "m/s", ""),
    "a01012": ("烟气温度", "℃", ""),
    "a00000": ("废气流量", "m³/h", "m³"),
    "w01018": ("化学需氧量", "mg/L", "kg"),
    "w21003": ("氨氮", "mg/L", "kg"),
    "w21011": ("总磷", "mg/L", "kg"),
    "w21001": ("总氮", "mg/L", "kg"),
    "w01001": ("pH值", "无量纲", ""),
    "w00000": ("废水流量", "m³/h", "m³"),
}


def pollutant_name(code: str) -> str:
    return POLLUTANTS.get(code, (code, "", ""))[0]


def concentration_unit(code: str, kind: str = "gas") -> str:
    entry = POLLUTANTS.get(code)
    if entry:
        return entry[1]
    return "mg/m³" if kind == "gas" else "mg/L"
