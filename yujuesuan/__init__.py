"""yujuesuan: China's 预算/决算 disclosures turned into data."""

__version__ = "0.1.0"
