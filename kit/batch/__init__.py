"""kit.batch"""
