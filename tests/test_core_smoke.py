def test_home_renders_for_a_coordinator(client_as):
    client = client_as("coordinator")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Fideliza" in response.data
