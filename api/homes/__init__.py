"""homes"""
