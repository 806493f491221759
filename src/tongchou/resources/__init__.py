"""Hospital resources planned against the forecasts.

hospital: admissions and the census of ward beds, ICU beds and ventilators.
capacity: the day each region runs out, over sample paths.
stays: lengths of stay and delays as daily pmfs.
published: published COVID-19 parameter sets, with their sources.
"""
