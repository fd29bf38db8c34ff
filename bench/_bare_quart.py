"""The framework's floor for bench/booking_http.py: the smallest Quart app that does what every
booking POST must before any rule runs (read the signed session cookie, parse the form, answer
303 with the session cookie written again), served by hypercorn like the app, no access log."""

from quart import Quart, redirect, request, session

app = Quart(__name__)
app.secret_key = "b" * 48


@app.post("/book/<slug>")
async def book(slug: str):
    form = await request.form
    session["n"] = session.get("n", 0) + 1
    return redirect(f"/bookings/{len(form)}", 303)
