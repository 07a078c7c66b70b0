#!/usr/bin/env python3
"""Writes the seed corpora in corpus/<fuzzer>/ (committed; rerun after changing the seeds here).

Seeds are small, meaningful inputs: valid requests of the main routes and the classic mistakes.
The fuzzers' own findings are not kept here (scripts/fuzz keeps them in build-fuzz/)."""
import io
import json
import pathlib
import shutil
import struct
import zipfile

here = pathlib.Path(__file__).resolve().parent
corpus = here / "corpus"

NONE, ADMIN, CLIENT, AGENT, WEB_AGENT = 0, 1, 2, 3, 4
BOUNDARY = "fuzz-seed-boundary"


def zip_archive(entries):
    """A zip archive (stored entries, fixed dates: the same bytes on every run)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in entries:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


ZIP = zip_archive([("index.html", b"<html>hello</html>"), ("assets/app.js", b"1")])
TRAVERSAL_ZIP = zip_archive([("index.html", b"x"), ("../../etc/cron.d/x", b"x")])


def write(fuzzer, name, data):
    directory = corpus / fuzzer
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def money():
    texts = {
        "zero": "0", "whole": "50", "two_decimals": "50.00", "one_decimal": "5.5",
        "cents": "0.05", "maximum": "1000000000.00", "above_maximum": "1000000000.01",
        "leading_zero": "05", "no_whole": ".5", "no_fraction": "5.", "exponent": "1e3",
        "negative": "-1", "space": " 1", "three_decimals": "12.345", "separator": "1,000.00",
        "eleven_digits": "12345678901", "nan": "NaN",
    }
    for name, text in texts.items():
        write("money_fuzzer", name, text)
    # 16 bytes and more: also two int64 amounts for the arithmetic.
    write("money_fuzzer", "int64_extremes", struct.pack("<qq", -2**63, 2**63 - 1))
    write("money_fuzzer", "int64_minus_one", struct.pack("<qq", -1, 2**63 - 1))
    write("money_fuzzer", "int64_cents", struct.pack("<qq", 5000, -5))


def json_fields():
    bodies = {
        "empty": "", "empty_object": "{}", "array": "[1,2]", "string": '"text"',
        "truncated": '{"amount":', "deep": "[" * 40 + "]" * 40,
        "topup": '{"amount":"50.00","payment_method":"card"}',
        "amount_number": '{"amount":50}', "amount_negative": '{"amount":"-1"}',
        "mass_assignment": '{"amount":"5.00","balance":"1000000.00"}',
        "redeem_codes": '{"value":"1.00","usage_limit":99999999999999999999999,"quantity":5}',
        "integer_extremes": '{"usage_limit":-9223372036854775808,"quantity":18446744073709551615}',
        "time_and_date": '{"expires_at":"2026-11-23T10:00:00.5+01:00","due_date":"2026-02-29"}',
        "bad_time": '{"expires_at":"2026-13-40T25:61:61Z","due_date":"0000-00-00"}',
        "lists": '{"content_ids":["a","b"],"answers":{"business_name":"A","goals":"B"}}',
        "nulls_and_bools": '{"is_active":true,"is_free":null,"description":null}',
        "unicode": '{"email":"\\u00e9@x.com","name":"\\ud83d\\ude00","\\u0000":1}',
        "duplicate_keys": '{"amount":"1.00","amount":"2.00"}',
        "duplicate_nested": '{"answers":{"goals":"a","goals":"b"}}',
        "trailing_nul": '{"amount":"1.00"}\0',
        "nul_then_junk": '{"amount":"1.00"}\0{"amount":"9.00"}',
        "control_characters": '{"name":"a\\u0000b","email":"x\\u0007","description":"c\\u001b[31m"}',
        "bidi_override": '{"name":"\\u202egpj.exe","description":"a\\u2066b","email":"\\u200fe"}',
        "c1_and_blank": '{"name":"   ","email":"\\u00a0","description":"\\u0085"}',
        "long_text_lines": '{"description":"line\\nnext\\tcell\\r\\n","name":"Ana"}',
        "invalid_utf8": '{"name":"\udcff"}',
        "amount_number_cents": '{"amount":500.00,"budget":0.29}',
        "amount_number_three_decimals": '{"amount":5.001}',
        "amount_number_exponent": '{"amount":1e3,"budget":1.5E1}',
        "amount_number_negative": '{"amount":-0,"budget":-0.5}',
        "amount_number_huge": '{"amount":123456789012345678901234567890.5}',
        "settings_object": '{"settings":{"posting_timezone":"Europe/Paris","weekly_report":false,'
                           '"learning_reminders":"daily"}}',
        "settings_not_object": '{"settings":["weekly_report"],"amount":"1.00"}',
        "settings_nested_bad": '{"settings":{"weekly_report":"yes","x":{"y":[1]},"n":null}}',
    }
    for index, (name, body) in enumerate(bodies.items()):
        write("json_fields_fuzzer", name,
              bytes([index]) + body.encode("utf-8", "surrogateescape"))
    # The selector's top three bits choose the Content-Type (see json_fields_fuzzer.cpp).
    content_types = {"json_charset": 1, "json_parameter": 2, "no_type": 3, "text_plain": 4,
                     "form": 5, "latin1": 6, "multipart": 7}
    for name, bits in content_types.items():
        write("json_fields_fuzzer", "type_" + name, bytes([bits << 5]) + b'{"amount":"5.00"}')
    write("json_fields_fuzzer", "type_no_type_empty", bytes([3 << 5]))


def as_bytes(text):
    return text if isinstance(text, bytes) else text.encode()


def multipart_body(fields, file_name=None, file=b"", close=True, boundary=BOUNDARY):
    dash = b"--" + boundary.encode()
    body = b""
    for name, value in fields:
        body += dash + b'\r\nContent-Disposition: form-data; name="' + as_bytes(name) + b'"\r\n\r\n'
        body += as_bytes(value) + b"\r\n"
    if file_name is not None:
        body += dash + b'\r\nContent-Disposition: form-data; name="file"; filename="'
        body += as_bytes(file_name) + b'"\r\nContent-Type: application/zip\r\n\r\n' + file + b"\r\n"
    if close:
        body += dash + b"--\r\n"
    return body


VERSION_FIELDS = [("project_id", "$PROJECT"), ("version_number", "1.0.0"), ("notes", "first cut"),
                  ("technologies_used", '["React"]'), ("changelog", "- home page")]


def version_fields(name, value):
    """VERSION_FIELDS with one field's value replaced."""
    return [(field, value if field == name else old) for field, old in VERSION_FIELDS]


# Text the upload must refuse with a 400 naming the field: invalid UTF-8, control characters.
BAD_TEXT_FIELDS = {
    "invalid_utf8_notes": version_fields("notes", b"first \xff cut"),
    "latin1_changelog": version_fields("changelog", b"caf\xe9"),
    "overlong_technologies": version_fields("technologies_used", b"React,\xc0\xaf"),
    "surrogate_technologies": version_fields("technologies_used", b'["\xed\xa0\x80"]'),
    "escaped_nul_technologies": version_fields("technologies_used", '["Re\\u0000act"]'),
    "bidi_technologies": version_fields("technologies_used", b"Re\xe2\x80\xaeact"),
    "invalid_utf8_project_id": version_fields("project_id", b"\xff"),
}
BAD_FILE_NAMES = {
    "latin1_filename": b"caf\xe9.zip",
    "invalid_utf8_filename": b"\xff\xfe.zip",
    "bidi_filename": b"evil\xe2\x80\xaepiz.exe",
}


def multipart_reader():
    content_type = "multipart/form-data; boundary=" + BOUNDARY
    seeds = {
        "version_upload": (content_type, multipart_body(VERSION_FIELDS, "site.zip", ZIP)),
        "quoted_boundary": ('multipart/form-data; boundary="a b:c"',
                            multipart_body([("x", "1")], boundary="a b:c")),
        "preamble_epilogue": (content_type, b"preamble\r\n" + multipart_body([("x", "1")]) + b"epilogue"),
        "truncated": (content_type, multipart_body(VERSION_FIELDS, "site.zip", ZIP, close=False)),
        "no_disposition": (content_type, b"--" + BOUNDARY.encode() + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + BOUNDARY.encode() + b"--"),
        "padding_after_delimiter": (content_type, b"--" + BOUNDARY.encode() + b"  \t\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--" + BOUNDARY.encode() + b"--"),
        "escaped_filename": (content_type, multipart_body([], 'a\\"b.zip', b"data")),
        "delimiter_in_data": (content_type, multipart_body([("x", "--" + BOUNDARY[:-1] + "\r\n--")])),
        "invalid_utf8_part_name": (content_type, multipart_body([(b"no\xfftes", "x")])),
        "file_first": (content_type, multipart_body([], "site.zip", ZIP) + multipart_body(VERSION_FIELDS)),
        "not_multipart": ("application/json", b"{}"),
        "no_boundary": ("multipart/form-data", b""),
    }
    for name, fields in BAD_TEXT_FIELDS.items():
        seeds[name] = (content_type, multipart_body(fields, "site.zip", ZIP))
    for name, file_name in BAD_FILE_NAMES.items():
        seeds[name] = (content_type, multipart_body(VERSION_FIELDS, file_name, ZIP))
    for index, (name, (content_type_line, body)) in enumerate(seeds.items()):
        write("multipart_reader_fuzzer", name, bytes([index * 37 % 256]) + content_type_line.encode() + b"\n" + body)


def request(method, target, body=None, headers=(), version="1.1",
            content_type="application/json"):
    lines = [f"{method} {target} HTTP/{version}", "Host: localhost"]
    lines += list(headers)
    payload = b""
    if body is not None:
        payload = (body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))).encode(
            "utf-8", "surrogateescape")
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(payload)}"]
    head = "\r\n".join(lines) + "\r\n\r\n"
    return head.encode("utf-8", "surrogateescape") + payload


# A caller byte with a twist (see http_request_fuzzer.cpp): caller + 5 * twist.
DUPLICATE_KEY, TRAILING_NUL, TEXT_PLAIN, BAD_STRING, BAD_QUERY, BAD_PATH, BAD_HEADERS = range(1, 8)


def twisted(caller, twist):
    return caller + 5 * twist


def upload(body):
    head = ("POST /api/website-versions/ HTTP/1.1\r\nHost: localhost\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def http_requests():
    seeds = {
        "healthz": (NONE, request("GET", "/healthz")),
        "metrics": (NONE, request("GET", "/metrics")),
        "ledger_head": (NONE, request("GET", "/api/ledger/head/")),
        "login": (NONE, request("POST", "/api/auth/login/",
                                {"email": "client@fuzz.test", "password": "password-client@fuzz.test"})),
        "register": (NONE, request("POST", "/api/auth/register/",
                                   {"email": "new@fuzz.test", "password": "long enough", "name": "N"})),
        "me": (CLIENT, request("GET", "/api/auth/me/")),
        "update_me": (CLIENT, request("PATCH", "/api/auth/me/", {"name": "Client F"})),
        "change_password": (CLIENT, request("POST", "/api/auth/change-password/",
                                            {"old_password": "password-client@fuzz.test",
                                             "new_password": "password-client@fuzz.test"})),
        "password_reset": (NONE, request("POST", "/api/auth/password-reset/",
                                         {"email": "client@fuzz.test"})),
        "password_reset_confirm": (NONE, request("POST", "/api/auth/password-reset/confirm/",
                                                 {"email": "client@fuzz.test", "token": "0" * 40,
                                                  "new_password": "long enough"})),
        "email_preferences": (CLIENT, request("GET", "/api/auth/me/email-preferences/")),
        "update_email_preferences": (CLIENT, request("PATCH", "/api/auth/me/email-preferences/",
                                                     {"payments": False, "marketing": True})),
        "update_user": (ADMIN, request("PATCH", "/api/users/$AGENT/",
                                       {"name": "Agent F", "max_clients": 4, "is_active": True})),
        "bad_token": (NONE, request("GET", "/api/auth/me/", headers=["Authorization: Bearer nope"])),
        "wallet": (CLIENT, request("GET", "/api/wallet/", headers=["X-Min-Position: 3"])),
        "wallet_transactions": (CLIENT, request("GET", "/api/wallet/transactions/?limit=2&cursor=x%20y")),
        "topup": (CLIENT, request("POST", "/api/wallet/topup/",
                                  {"amount": "50.00", "payment_method": "card"},
                                  headers=["Idempotency-Key: fuzz-1"])),
        "pay": (CLIENT, request("POST", "/api/wallet/pay/", {"amount": "12.50", "service": "website"})),
        "affordability": (CLIENT, request("POST", "/api/wallet/check_affordability/", {"amount": "5.00"})),
        "auto_recharge": (CLIENT, request("POST", "/api/wallet-auto-recharge/configure/",
                                          {"threshold_amount": "5.00", "recharge_amount": "25.00",
                                           "payment_method": "card"})),
        "redeem": (CLIENT, request("POST", "/api/wallet/redeem/", {"code": "ABCD-EFGH"})),
        "redeem_codes": (ADMIN, request("POST", "/api/redeem-codes/",
                                        {"value": "1.00", "usage_limit": 5, "quantity": 2})),
        "users": (ADMIN, request("GET", "/api/users/?role=client&limit=500")),
        "create_user": (ADMIN, request("POST", "/api/users/",
                                       {"email": "a2@fuzz.test", "password": "long enough",
                                        "name": "A", "role": "agent", "department": "website",
                                        "max_clients": 3})),
        "assign_agent": (ADMIN, request("POST", "/api/clients/$CLIENT/assign_agent/",
                                        {"service": "marketing", "agent_id": "$AGENT"})),
        "campaign": (AGENT, request("POST", "/api/campaigns/",
                                    {"client_id": "$CLIENT", "name": "Winter launch",
                                     "platform": "instagram", "budget": "100.00",
                                     "target_reach": 1000, "target_engagement": 100})),
        "campaigns": (CLIENT, request("GET", "/api/campaigns/?status=draft")),
        "task": (AGENT, request("POST", "/api/tasks/",
                                {"client": "$CLIENT", "title": "Send the logo", "priority": "high",
                                 "service": "marketing", "due_date": "2026-11-30"})),
        "tasks": (CLIENT, request("GET", "/api/tasks/?status=todo&overdue=true&limit=2")),
        "task_change": (ADMIN, request("PATCH", "/api/tasks/$TASK/",
                                       {"status": "in_progress", "assigned_to": "$AGENT"})),
        "task_complete": (CLIENT, request("POST", "/api/tasks/$TASK/complete/")),
        "message": (CLIENT, request("POST", "/api/messages/",
                                    {"recipient": "$AGENT", "content": "Hello <b>there</b>",
                                     "service": "marketing"})),
        "conversation": (AGENT, request("GET", "/api/messages/?with=$CLIENT&limit=2")),
        "conversations": (CLIENT, request("GET", "/api/messages/conversations/")),
        "message_read": (AGENT, request("POST", "/api/messages/$MESSAGE/mark_read/")),
        "redeem_validate": (CLIENT, request("POST", "/api/redeem-codes/validate/",
                                            {"code": "WELCOME10"})),
        "transactions_filtered": (CLIENT, request(
            "GET", "/api/wallet/transactions/?type=debit&service=marketing&from=2026-11-01"
                   "&to=2026-12-31&limit=2")),
        "support_ticket": (CLIENT, request("POST", "/api/support-tickets/",
                                           {"subject": "The site is down",
                                            "description": "Since noon\nThe checkout page",
                                            "service": "website", "priority": "high"})),
        "support_tickets": (AGENT, request("GET", "/api/support-tickets/?status=open&priority=high"
                                                  "&service=marketing&client=$CLIENT&limit=2")),
        "support_ticket_thread": (WEB_AGENT, request("GET", "/api/support-tickets/$TICKET/")),
        "support_ticket_reply": (AGENT, request("POST", "/api/support-tickets/$TICKET/reply/",
                                                {"message": "Looking into it"})),
        "support_ticket_status": (CLIENT, request("POST", "/api/support-tickets/$TICKET/change_status/",
                                                  {"status": "closed"})),
        "content_schedule": (AGENT, request("POST", "/api/content-schedule/",
                                            {"client_id": "$CLIENT", "platform": "instagram",
                                             "social_account": "@shop",
                                             "scheduled_at": "2026-12-01T10:00:00Z",
                                             "caption": "Sale", "hashtags": ["#sale"],
                                             "media_urls": ["https://cdn.example.com/a.jpg"]})),
        "calendar": (CLIENT, request("GET", "/api/content-schedule/calendar/?from=2026-11-01&to=2026-12-01")),
        "invoice": (ADMIN, request("POST", "/api/invoices/",
                                   {"client_id": "$CLIENT", "amount": "40.00", "service": "website",
                                    "due_date": "2026-12-01"})),
        "subscription": (ADMIN, request("POST", "/api/subscriptions/",
                                        {"client_id": "$CLIENT", "plan": "Growth",
                                         "service": "marketing", "price": "20.00",
                                         "renews_on": "2026-12-23"})),
        "course": (ADMIN, request("POST", "/api/courses/",
                                  {"title": "SEO basics", "price": "25.00", "access_days": 30})),
        "course_purchase_cancel": (CLIENT, request("POST", "/api/courses/purchases/p-1/cancel/")),
        "course_change": (ADMIN, request("PATCH", "/api/courses/$COURSE/",
                                         {"title": "SEO 2", "price": "30.00", "access_days": 0})),
        "course_delete": (ADMIN, request("DELETE", "/api/courses/$COURSE/")),
        "course_lessons": (CLIENT, request("GET", "/api/courses/$COURSE/lessons/?limit=2")),
        "course_lesson_text": (ADMIN, request("POST", "/api/courses/$COURSE/lessons/",
                                              {"title": "Links", "module": "Basics", "order": 2,
                                               "body": "Line one\nLine two", "duration_minutes": 15})),
        "course_lesson_video": (ADMIN, request("POST", "/api/courses/$COURSE/lessons/",
                                               {"title": "Watch", "module": "Video", "order": 0,
                                                "video_url": "https://videos.example.com/a.mp4",
                                                "duration_minutes": 30})),
        "course_lesson_both": (ADMIN, request("POST", "/api/courses/$COURSE/lessons/",
                                              {"title": "Both", "module": "M", "order": 1,
                                               "body": "x", "video_url": "javascript:alert(1)",
                                               "duration_minutes": 1})),
        "course_lesson": (WEB_AGENT, request("GET", "/api/courses/$COURSE/lessons/$LESSON/")),
        "course_lesson_change": (ADMIN, request("PATCH", "/api/courses/$COURSE/lessons/$LESSON/",
                                                {"video_url": "http://videos.example.com/b.mp4",
                                                 "order": 100000})),
        "course_lesson_remove": (ADMIN, request("DELETE", "/api/courses/$COURSE/lessons/$LESSON/")),
        "course_lesson_complete": (CLIENT, request("POST", "/api/courses/$COURSE/lessons/$LESSON/complete/")),
        "course_progress": (CLIENT, request("GET", "/api/courses/$COURSE/progress/")),
        "course_certificate": (CLIENT, request("GET", "/api/courses/$COURSE/certificate/")),
        "course_finish": (CLIENT, request("POST", "/api/courses/$COURSE/finish/")),
        "service_settings": (CLIENT, request("GET", "/api/service-settings/")),
        "service_settings_update": (CLIENT, request(
            "PATCH", "/api/service-settings/$CLIENT-marketing/update_settings/",
            {"settings": {"posting_timezone": "Europe/Paris", "approval_required": True,
                          "weekly_report": False}})),
        "service_settings_foreign_key": (CLIENT, request(
            "PATCH", "/api/service-settings/$CLIENT-courses/update_settings/",
            {"settings": {"preferred_stack": "nextjs", "learning_reminders": "off"}})),
        "service_settings_other_client": (CLIENT, request(
            "PATCH", "/api/service-settings/$AGENT-website/update_settings/",
            {"settings": {"staging_notifications": False}})),
        "website_project": (CLIENT, request("POST", "/api/website-projects/",
                                            {"name": "Shop",
                                             "answers": {"business_name": "A", "goals": "B"}})),
        "notifications": (CLIENT, request("GET", "/api/notifications/?type=wallet&unread=true")),
        "notification_stream": (CLIENT, request("GET", "/api/notifications/stream/",
                                                headers=["Last-Event-ID: 3"])),
        "stream_ticket": (CLIENT, request("POST", "/api/notifications/stream-ticket/")),
        "notification_stream_ticket": (NONE, request(
            "GET", "/api/notifications/stream/?ticket=lst_" + "0" * 64,
            headers=["Origin: http://dashboard.test:3000"])),
        "notification_stream_query_token": (NONE, request(
            "GET", "/api/notifications/stream/?token=lct_" + "0" * 64)),
        "preflight": (NONE, request(
            "OPTIONS", "/api/wallet/pay/",
            headers=["Origin: http://dashboard.test:3000", "Access-Control-Request-Method: POST",
                     "Access-Control-Request-Headers: authorization,content-type,idempotency-key"])),
        "preflight_other_origin": (NONE, request(
            "OPTIONS", "/api/tasks/$TASK/",
            headers=["Origin: null", "Access-Control-Request-Method: PATCH"])),
        "cross_origin_wallet": (CLIENT, request(
            "GET", "/api/wallet/", headers=["Origin: http://dashboard.test:3000"])),
        "analytics": (ADMIN, request("GET", "/api/admin/analytics/services/?from=2026-11-01&to=2026-11-30")),
        "projections": (ADMIN, request("GET", "/api/admin/projections/")),
        "statement": (ADMIN, request("GET", "/api/ledger/accounts/wallet:$CLIENT/statement/?from=2026-01-01T00:00:00Z")),
        "events": (ADMIN, request("GET", "/api/ledger/events/?after=0&limit=3")),
        "webhook": (NONE, request("POST", "/api/payments/webhook/",
                                  {"event": "payment.succeeded", "reference": "x"},
                                  headers=["X-Signature: 00"])),
        "seed_campaign": (AGENT, request("POST", "/api/campaigns/",
                                         '{"client": "$CLIENT", "title": "Summer Sale 2025", '
                                         '"platform": "instagram", "start_date": "2027-06-01", '
                                         '"target_reach": 10000, "budget": 500.00}')),
        "seed_campaign_both_names": (AGENT, request("POST", "/api/campaigns/",
                                                    '{"client": "$CLIENT", "client_id": "$CLIENT", '
                                                    '"title": "T", "name": "N", "budget": 5.001}')),
        "seed_content": (AGENT, request("POST", "/api/content-schedule/",
                                        {"client": "$CLIENT", "campaign": "c-1", "title": "Showcase",
                                         "caption": "Check out #Summer2025", "platform": "instagram",
                                         "social_account": "account_id",
                                         "scheduled_for": "2027-06-15T10:00:00Z",
                                         "hashtags": ["Summer2025", "#Sale"],
                                         "media_files": ["https://cdn.example.com/image1.jpg"]})),
        "content_reject": (CLIENT, request("POST", "/api/content-schedule/p-1/reject/",
                                           {"feedback": "Use the <b>blue</b> logo\r\nBcc: x"})),
        "version_update": (WEB_AGENT, request("PATCH", "/api/website-versions/v-1/",
                                              {"notes": "second cut", "technologies_used": ["Astro"]})),
        "version_delete": (WEB_AGENT, request("DELETE", "/api/website-versions/v-1/")),
        "version_upload_seed_names": (WEB_AGENT, upload(multipart_body(
            [("project", "$PROJECT"), ("version_number", "v1.0"),
             ("technologies_used", '["React", "Next.js", "Tailwind"]')], "site.zip", ZIP))),
        "unknown_path": (NONE, request("GET", "/nope")),
        "wrong_method": (CLIENT, request("DELETE", "/api/wallet/")),
        "chunked": (CLIENT, b"POST /api/wallet/check_affordability/ HTTP/1.1\r\nHost: x\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n11\r\n{\"amount\":\"5.00\"}\r\n0\r\n\r\n"),
        "http10": (CLIENT, request("GET", "/api/wallet/", version="1.0")),
        "malformed_json": (CLIENT, request("POST", "/api/wallet/pay/", '{"amount":')),
        "invalid_utf8_query": (ADMIN, request("GET", "/api/users/?cursor=%FF%FE&limit=%C3")),
        "version_upload": (WEB_AGENT, upload(multipart_body(VERSION_FIELDS, "site.zip", ZIP))),
        "version_upload_truncated": (WEB_AGENT, upload(multipart_body(VERSION_FIELDS, "s.zip", ZIP, close=False))),
        "version_upload_file_first": (WEB_AGENT, upload(multipart_body([], "site.zip", ZIP, close=False)
                                                        + multipart_body(VERSION_FIELDS))),
        "version_upload_traversal_zip": (WEB_AGENT, upload(multipart_body(VERSION_FIELDS, "site.zip",
                                                                          TRAVERSAL_ZIP))),
        "versions": (CLIENT, request("GET", "/api/website-versions/?project_id=$PROJECT")),
        "duplicate_amount": (CLIENT, request("POST", "/api/wallet/topup/",
                                             '{"amount":"1.00","amount":"999.00","payment_method":"card"}')),
        "trailing_nul": (CLIENT, request("POST", "/api/wallet/pay/",
                                         '{"amount":"1.00","service":"website"}\0')),
        "text_plain_body": (CLIENT, request("POST", "/api/wallet/pay/",
                                            {"amount": "1.00", "service": "website"},
                                            content_type="text/plain")),
        "form_login": (NONE, request("POST", "/api/auth/login/", "email=a%40b.c&password=x",
                                     content_type="application/x-www-form-urlencoded")),
        "json_charset": (CLIENT, request("POST", "/api/wallet/check_affordability/",
                                         {"amount": "5.00"},
                                         content_type="Application/JSON; charset=utf-8")),
        "control_name": (ADMIN, request("POST", "/api/users/",
                                        '{"email":"c@fuzz.test","password":"long enough",'
                                        '"name":"Eve\\u0000\\u202e","role":"client"}')),
        "blank_name": (CLIENT, request("POST", "/api/website-projects/",
                                       {"name": "   ", "answers": {"business_name": "A", "goals": "B"}})),
        "invalid_utf8_path": (ADMIN, request("POST", "/api/clients/$CLIENT\udcff/assign_agent/",
                                             {"service": "marketing", "agent_id": "$AGENT"})),
        "invalid_utf8_headers": (CLIENT, request("POST", "/api/wallet/topup/",
                                                 {"amount": "5.00", "payment_method": "card"},
                                                 headers=["Idempotency-Key: k\udcff",
                                                          "X-Request-Id: \udcfe"])),
        "twist_duplicate": (twisted(CLIENT, DUPLICATE_KEY),
                            request("POST", "/api/wallet/pay/", {"amount": "1.00", "service": "website"})),
        "twist_nul": (twisted(CLIENT, TRAILING_NUL),
                      request("POST", "/api/wallet/topup/", {"amount": "2.00", "payment_method": "card"})),
        "twist_text_plain": (twisted(AGENT, TEXT_PLAIN),
                             request("POST", "/api/campaigns/", {"client_id": "$CLIENT", "name": "X"})),
        "twist_string": (twisted(ADMIN, BAD_STRING),
                         request("POST", "/api/courses/", {"title": "T", "price": "1.00"})),
        "twist_query": (twisted(ADMIN, BAD_QUERY), request("GET", "/api/users/?role=client")),
        "twist_path": (twisted(ADMIN, BAD_PATH),
                       request("GET", "/api/ledger/accounts/wallet:$CLIENT/statement/")),
        "twist_headers": (twisted(CLIENT, BAD_HEADERS), request("GET", "/api/wallet/")),
    }
    for name, fields in BAD_TEXT_FIELDS.items():
        seeds["version_upload_" + name] = (WEB_AGENT, upload(multipart_body(fields, "site.zip", ZIP)))
    for name, file_name in BAD_FILE_NAMES.items():
        seeds["version_upload_" + name] = (WEB_AGENT, upload(multipart_body(VERSION_FIELDS, file_name, ZIP)))
    for name, (caller, data) in seeds.items():
        write("http_request_fuzzer", name, bytes([caller]) + data)


def emails():
    """Byte 0 picks the template; values separated by 0x1E go to the fields in turn."""
    values = {
        "plain": [b"Ann", b"Shop site", b"https://demo.example.com"],
        "markup": [b'<script>alert(1)</script><a href="https://evil.example">Verify here</a>'],
        "quotes_and_entities": [b"\"a\" & 'b' &amp; &#60; <b>"],
        "header_injection": [b"Hello\r\nBcc: everyone@x.com\r\n\r\nbody", b"x\ny"],
        "guessed_boundary": [b"\n--ledger-00000000000000000734-welcome\nContent-Type: text/html"
                             b"\n\n<a href=x>y</a>"],
        "our_boundary_prefix": [b"\r\n--=_ledger_0123456789abcdef0123456789abcdef--\r\n"],
        "invalid_utf8": [b"\xff\xfe \xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf"],
        "bidi": ["\u202egnp.exe\u202c \u2066x\u2069 caf\u00e9 \U0001f600".encode()],
        "encoded_word": [b"=?UTF-8?B?PHNjcmlwdD4=?= =?iso-8859-1?q?=3C?="],
        "controls": [bytes(range(0, 32)) + b"\x7f"],
        "long": [b"<" * 3000 + b" " + b"y" * 200],
        "dots": [b".\r\n.\n. .."],
    }
    # One seed set per template (byte 0 picks modulo their count), counted from the templates'
    # own source so that a new template gets its seeds.
    source = (here.parent.parent / "projections" / "email_templates.cpp").read_text()
    count = source.count("templates.push_back(email<")
    for index in range(count):
        for name, parts in values.items():
            write("email_fuzzer", f"template{index:02}_{name}", bytes([index]) + b"\x1e".join(parts))


if __name__ == "__main__":
    for fuzzer in ("money_fuzzer", "json_fields_fuzzer", "http_request_fuzzer",
                   "multipart_reader_fuzzer", "email_fuzzer"):
        shutil.rmtree(corpus / fuzzer, ignore_errors=True)
    money()
    json_fields()
    http_requests()
    multipart_reader()
    emails()
