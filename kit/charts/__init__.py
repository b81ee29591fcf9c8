"""kit.charts"""
