"""Dasbor Assessment Center: domain logic, storage and reports. Never imports Streamlit."""
