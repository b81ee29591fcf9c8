"""kit.data"""
