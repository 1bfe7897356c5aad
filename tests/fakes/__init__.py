"""Fake chat platforms that speak real HTTP/websocket on 127.0.0.1, for tests and benchmarks."""
