"""tongchou 统筹: plan and coordinate an epidemic response as a whole.

The Python API mirrors the command line and returns pandas DataFrames:

    import datetime as dt
    import tongchou

    store = tongchou.connect()                   # ./tongchou.db, or TONGCHOU_DATABASE_URL
    tongchou.load_demo_data(store)               # China's regions and the 2020 series
    tongchou.situation(store, dt.date(2020, 2, 23), level="prefecture", region="湖北")
    tongchou.rt(store, "武汉", as_of=dt.date(2020, 3, 1))
    tongchou.read_panel(store, ["confirmed"], dt.date(2020, 1, 20), dt.date(2020, 2, 23))
    zoning = tongchou.zone(store, dt.date(2020, 2, 23), level="prefecture")
    tongchou.zone_table(zoning)                  # level, reason and inputs of every unit
    tongchou.forecast(store, dt.date(2020, 2, 23), region="湖北", horizon=14)
    tongchou.hospital(store, dt.date(2020, 2, 23), region="湖北")
"""

from tongchou.ingest.importer import import_file
from tongchou.services.backtest import forecast_backtest
from tongchou.services.demo import load_bundled_series as load_demo_data
from tongchou.services.forecast import forecast
from tongchou.services.hospital import hospital
from tongchou.services.regions import import_regions, load_china, stored_regions
from tongchou.services.situation import assess, rt, situation
from tongchou.services.zone_decisions import region_measures, replay_zones
from tongchou.services.zones import zone, zone_table
from tongchou.store.database import open_store as connect
from tongchou.store.panels import read_panel

__all__ = [
    "assess",
    "connect",
    "forecast",
    "forecast_backtest",
    "hospital",
    "import_file",
    "import_regions",
    "load_china",
    "load_demo_data",
    "read_panel",
    "region_measures",
    "replay_zones",
    "rt",
    "situation",
    "stored_regions",
    "zone",
    "zone_table",
]
