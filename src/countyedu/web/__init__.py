"""The web application (Django): accounts and roles, data collection and approval, dashboards, API.

The only package where Django meets the computations: views call census, indicators and reports.
"""
