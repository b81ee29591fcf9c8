"""kit.narrative"""
