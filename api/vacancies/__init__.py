"""vacancies"""
