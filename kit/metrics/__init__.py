"""kit.metrics"""
