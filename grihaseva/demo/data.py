"""The demo catalogue, providers and accounts that `grihaseva seed-demo` writes.

Kept as plain data so the seed command, the chatbot's evaluation set and the
tests all agree on what the demo offers.  Prices are integer paise.
"""

from __future__ import annotations

DEMO_PASSWORD = "demo-pass-123"

CATEGORIES = [
    {"slug": "cleaning", "name": "Cleaning", "women_only": False,
     "description": "Homes, kitchens, bathrooms and sofas cleaned by trained crews.",
     "name_hi": "सफ़ाई", "description_hi": "घर, रसोई, बाथरूम और सोफ़े की सफ़ाई, प्रशिक्षित टीम से।"},
    {"slug": "plumbing", "name": "Plumbing", "women_only": False,
     "description": "Leaks, taps, drains, toilets and water tanks.",
     "name_hi": "प्लंबिंग", "description_hi": "लीकेज, नल, नाली, टॉयलेट और पानी की टंकी।"},
    {"slug": "electrical", "name": "Electrical", "women_only": False,
     "description": "Fans, switches, wiring and air-conditioner service.",
     "name_hi": "बिजली का काम", "description_hi": "पंखे, स्विच, वायरिंग और एसी की सर्विस।"},
    {"slug": "beauty", "name": "Beauty at home", "women_only": True,
     "description": "Salon treatments at home, by women professionals for women customers only.",
     "name_hi": "घर पर ब्यूटी सेवा", "description_hi": "घर पर सैलून जैसी सेवाएँ, महिला प्रोफ़ेशनल से, सिर्फ़ महिला ग्राहकों के लिए।"},
]

SERVICES = [
    # cleaning
    {"slug": "home-deep-cleaning", "category": "cleaning", "name": "Home deep cleaning",
     "duration_min": 240, "price_paise": 249900,
     "summary": "Top-to-bottom cleaning of a 2BHK home.",
     "included": "Dusting, floor scrubbing, kitchen degreasing, bathroom descaling, window panes",
     "name_hi": "पूरे घर की गहरी सफ़ाई", "summary_hi": "2BHK घर की ऊपर से नीचे तक पूरी सफ़ाई।",
     "included_hi": "धूल झाड़ना, फ़र्श रगड़ना, रसोई की चिकनाई हटाना, बाथरूम का दाग़ हटाना, खिड़कियों के शीशे"},
    {"slug": "bathroom-cleaning", "category": "cleaning", "name": "Bathroom cleaning",
     "duration_min": 90, "price_paise": 69900,
     "summary": "One bathroom scrubbed and descaled.",
     "included": "Tiles, fittings, toilet, mirror, floor and drain",
     "name_hi": "बाथरूम की सफ़ाई", "summary_hi": "एक बाथरूम की रगड़कर सफ़ाई और दाग़ हटाना।",
     "included_hi": "टाइलें, नल-फ़िटिंग, टॉयलेट, शीशा, फ़र्श और नाली"},
    {"slug": "kitchen-cleaning", "category": "cleaning", "name": "Kitchen cleaning",
     "duration_min": 120, "price_paise": 99900,
     "summary": "Greasy kitchen made spotless.",
     "included": "Chimney exterior, slab, tiles, sink, cabinets outside",
     "name_hi": "रसोई की सफ़ाई", "summary_hi": "चिकनी रसोई को चमकाकर साफ़ करना।",
     "included_hi": "चिमनी बाहर से, स्लैब, टाइलें, सिंक, अलमारियाँ बाहर से"},
    {"slug": "sofa-cleaning", "category": "cleaning", "name": "Sofa shampooing",
     "duration_min": 90, "price_paise": 79900,
     "summary": "Fabric sofa shampooed and vacuumed (up to 5 seats).",
     "included": "Vacuuming, shampoo, stain treatment",
     "name_hi": "सोफ़े की शैम्पू से सफ़ाई", "summary_hi": "कपड़े वाले सोफ़े की शैम्पू और वैक्यूम से सफ़ाई (5 सीट तक)।",
     "included_hi": "वैक्यूम, शैम्पू, दाग़ की सफ़ाई"},
    # plumbing
    {"slug": "tap-leak-repair", "category": "plumbing", "name": "Tap and leak repair",
     "duration_min": 60, "price_paise": 34900,
     "summary": "Leaking taps, pipes and joints fixed.",
     "included": "Inspection, washer or cartridge change, joint sealing (parts extra)",
     "name_hi": "नल और लीकेज की मरम्मत", "summary_hi": "टपकते नल, पाइप और जोड़ ठीक किए जाते हैं।",
     "included_hi": "जाँच, वॉशर या कार्ट्रिज बदलना, जोड़ सील करना (पुर्ज़े अलग से)"},
    {"slug": "drain-unblocking", "category": "plumbing", "name": "Drain unblocking",
     "duration_min": 60, "price_paise": 44900,
     "summary": "Blocked sinks, basins and floor drains cleared.",
     "included": "Manual and machine clearing of one drain",
     "name_hi": "बंद नाली खोलना", "summary_hi": "बंद सिंक, वॉश बेसिन और फ़र्श की नालियाँ खोली जाती हैं।",
     "included_hi": "एक नाली हाथ से और मशीन से खोलना"},
    {"slug": "toilet-repair", "category": "plumbing", "name": "Toilet and flush repair",
     "duration_min": 60, "price_paise": 39900,
     "summary": "Running or broken flush tanks repaired.",
     "included": "Flush mechanism repair, seat fixing, leak check (parts extra)",
     "name_hi": "टॉयलेट और फ़्लश की मरम्मत", "summary_hi": "लगातार चलने वाली या टूटी फ़्लश टंकी की मरम्मत।",
     "included_hi": "फ़्लश की मरम्मत, सीट कसना, लीकेज की जाँच (पुर्ज़े अलग से)"},
    {"slug": "water-tank-cleaning", "category": "plumbing", "name": "Water tank cleaning",
     "duration_min": 120, "price_paise": 89900,
     "summary": "Overhead or underground tank drained, scrubbed and disinfected.",
     "included": "Draining, sludge removal, scrubbing, disinfection (up to 1000 L)",
     "name_hi": "पानी की टंकी की सफ़ाई", "summary_hi": "छत की या ज़मीन के नीचे की टंकी खाली करके, रगड़कर और कीटाणुमुक्त करके साफ़।",
     "included_hi": "पानी निकालना, कीचड़ हटाना, रगड़ना, कीटाणुनाशक (1000 लीटर तक)"},
    # electrical
    {"slug": "fan-installation", "category": "electrical", "name": "Fan installation",
     "duration_min": 60, "price_paise": 29900,
     "summary": "Ceiling or wall fan installed or replaced.",
     "included": "Mounting, wiring, regulator connection, testing",
     "name_hi": "पंखा लगाना", "summary_hi": "छत या दीवार का पंखा लगाना या बदलना।",
     "included_hi": "पंखा टाँगना, वायरिंग, रेगुलेटर जोड़ना, जाँच"},
    {"slug": "switchboard-repair", "category": "electrical", "name": "Switch and socket repair",
     "duration_min": 60, "price_paise": 24900,
     "summary": "Faulty switches, sockets and boards repaired.",
     "included": "Diagnosis and repair of one board (parts extra)",
     "name_hi": "स्विच और सॉकेट की मरम्मत", "summary_hi": "ख़राब स्विच, सॉकेट और बोर्ड की मरम्मत।",
     "included_hi": "एक बोर्ड की जाँच और मरम्मत (पुर्ज़े अलग से)"},
    {"slug": "ac-service", "category": "electrical", "name": "AC service",
     "duration_min": 90, "price_paise": 59900,
     "summary": "Split or window air conditioner cleaned and serviced.",
     "included": "Filter and coil cleaning, drain check, cooling test",
     "name_hi": "एसी सर्विस", "summary_hi": "स्प्लिट या विंडो एसी की सफ़ाई और सर्विस।",
     "included_hi": "फ़िल्टर और कॉइल की सफ़ाई, पानी निकलने की जाँच, ठंडक की जाँच"},
    {"slug": "wiring-inspection", "category": "electrical", "name": "Wiring inspection",
     "duration_min": 120, "price_paise": 69900,
     "summary": "Whole-home wiring safety check.",
     "included": "Earthing test, MCB check, load report",
     "name_hi": "वायरिंग की जाँच", "summary_hi": "पूरे घर की वायरिंग की सुरक्षा जाँच।",
     "included_hi": "अर्थिंग की जाँच, एमसीबी की जाँच, लोड की रिपोर्ट"},
    # beauty (women-only)
    {"slug": "facial-at-home", "category": "beauty", "name": "Facial at home",
     "duration_min": 60, "price_paise": 119900,
     "summary": "Cleansing, exfoliation and a hydrating facial.",
     "included": "Cleanup, scrub, massage, mask",
     "name_hi": "घर पर फ़ेशियल", "summary_hi": "सफ़ाई, स्क्रब और नमी देने वाला फ़ेशियल।",
     "included_hi": "क्लीनअप, स्क्रब, मसाज, मास्क"},
    {"slug": "waxing", "category": "beauty", "name": "Waxing (arms and legs)",
     "duration_min": 60, "price_paise": 89900,
     "summary": "Full arms and full legs waxing.",
     "included": "Rica wax, pre and post care",
     "name_hi": "वैक्सिंग (हाथ और पैर)", "summary_hi": "पूरे हाथों और पूरे पैरों की वैक्सिंग।",
     "included_hi": "रीका वैक्स, पहले और बाद की देखभाल"},
    {"slug": "manicure-pedicure", "category": "beauty", "name": "Manicure and pedicure",
     "duration_min": 90, "price_paise": 99900,
     "summary": "Nail care for hands and feet.",
     "included": "Soak, shaping, cuticle care, massage, polish",
     "name_hi": "मैनीक्योर और पेडीक्योर", "summary_hi": "हाथों और पैरों के नाखूनों की देखभाल।",
     "included_hi": "भिगोना, नाखूनों को आकार देना, क्यूटिकल की देखभाल, मसाज, नेल पॉलिश"},
    {"slug": "haircut-at-home", "category": "beauty", "name": "Haircut at home",
     "duration_min": 45, "price_paise": 49900,
     "summary": "Haircut and styling by a woman stylist.",
     "included": "Consultation, wash, cut, blow-dry",
     "name_hi": "घर पर हेयरकट", "summary_hi": "महिला स्टाइलिस्ट से हेयरकट और स्टाइलिंग।",
     "included_hi": "सलाह, बाल धोना, कटिंग, ब्लो-ड्राई"},
]

# Service areas are Bengaluru PIN codes (560038 Indiranagar, 560034 Koramangala, 560066 Whitefield...);
# a Pune address (411001) is outside every area.
DEMO_PIN = "560038"
OUTSIDE_PIN = "411001"

# Weekly hours as (weekday 0=Monday, "HH:MM", "HH:MM"); a weekday with two
# intervals has a break between them.
_WEEKDAYS_WITH_LUNCH = [
    (d, start, end) for d in range(0, 6) for start, end in (("09:00", "13:00"), ("14:00", "19:00"))
]
_EVENINGS_TOO = [
    (d, start, end) for d in range(0, 7) for start, end in (("10:00", "14:00"), ("16:00", "21:00"))
]

PROVIDERS = [
    {"email": "provider@example.com", "areas": "560001 560008 560034 560038 560095 560102", "name": "Ravi Kumar", "gender": "male", "phone": "+91 98450 11111",
     "bio": "Licensed plumber with 12 years of experience in apartments and villas.",
     "services": ["tap-leak-repair", "drain-unblocking", "toilet-repair", "water-tank-cleaning"],
     "hours": _EVENINGS_TOO, "hourly_rate_paise": 40000},
    {"email": "imran.plumber@example.com", "areas": "560034 560068 560095 560102", "name": "Imran Shaikh", "gender": "male", "phone": "+91 98450 22222",
     "bio": "Quick fixes for leaks and blocked drains, same-day slots.",
     "services": ["tap-leak-repair", "drain-unblocking", "toilet-repair"],
     "hours": _WEEKDAYS_WITH_LUNCH, "hourly_rate_paise": 35000},
    {"email": "suresh.electric@example.com", "areas": "560001 560034 560038 560066", "name": "Suresh Naidu", "gender": "male", "phone": "+91 98450 33333",
     "bio": "Government-licensed electrician; fans, boards and AC service.",
     "services": ["fan-installation", "switchboard-repair", "ac-service", "wiring-inspection"],
     "hours": _EVENINGS_TOO, "hourly_rate_paise": 45000},
    {"email": "anita.cleaning@example.com", "areas": "560008 560034 560038 560095", "name": "Anita Desai", "gender": "female", "phone": "+91 98450 44444",
     "bio": "Leads a three-person cleaning crew; eco-friendly products.",
     "services": ["home-deep-cleaning", "bathroom-cleaning", "kitchen-cleaning", "sofa-cleaning"],
     "hours": _WEEKDAYS_WITH_LUNCH, "hourly_rate_paise": 30000},
    {"email": "priya.beauty@example.com", "areas": "560001 560034 560038", "name": "Priya Sharma", "gender": "female", "phone": "+91 98450 55555",
     "bio": "Certified beautician; facials, waxing and nail care at home.",
     "services": ["facial-at-home", "waxing", "manicure-pedicure", "haircut-at-home"],
     "hours": _EVENINGS_TOO, "hourly_rate_paise": 50000},
    {"email": "meena.beauty@example.com", "areas": "560037 560038 560066", "name": "Meena Iyer", "gender": "female", "phone": "+91 98450 66666",
     "bio": "Hair stylist and skin-care specialist, ten years in salons.",
     "services": ["facial-at-home", "haircut-at-home", "manicure-pedicure"],
     "hours": _WEEKDAYS_WITH_LUNCH, "hourly_rate_paise": 45000},
    {"email": "joseph.handyman@example.com", "areas": "560001 560008 560066", "name": "Joseph Fernandes", "gender": "male", "phone": "+91 98450 77777",
     "bio": "Handyman for cleaning and electrical odd jobs.",
     "services": ["bathroom-cleaning", "fan-installation", "switchboard-repair", "sofa-cleaning"],
     "hours": _WEEKDAYS_WITH_LUNCH, "hourly_rate_paise": 30000},
]

CUSTOMERS = [
    {"email": "customer@example.com", "name": "Asha Menon", "gender": "female", "phone": "+91 99000 12345"},
    {"email": "rahul@example.com", "name": "Rahul Verma", "gender": "male", "phone": "+91 99000 67890"},
]

ADMINS = [
    {"email": "admin@example.com", "name": "GrihaSeva Admin", "gender": "other", "phone": "+91 80000 00000"},
]
