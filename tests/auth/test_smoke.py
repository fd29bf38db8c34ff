from tests.conftest import login, post, register, text


async def test_register_then_reach_customer_home(client):
    response = await register(client)
    assert response.headers["Location"] == "/bookings"
    page = await client.get("/bookings")
    assert page.status_code == 200
    assert "My bookings" in await text(page)


async def test_provider_page_is_403_for_customer(client):
    await register(client)
    response = await client.get("/provider/dashboard")
    assert response.status_code == 403
    assert "This page is for providers" in await text(response)
