"""kit.frameworks"""
