import pytest


@pytest.mark.django_db
def test_health_reports_database_and_cache_without_login(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_health_refuses_post(client):
    assert client.post("/health/").status_code == 405
