"""The printed list and its PDF follow the member's language, whoever looks at them.

A Chinese member's PDF is read back without a PDF library: its objects, each font's
ToUnicode map (reportlab writes one for an embedded TrueType subset), the text operators of
the page, and the barcode image decoded as tests/lists/test_barcodes.py decodes the PNG.
"""

from __future__ import annotations

import base64
import os
import re
import zlib
from pathlib import Path

import pytest
import zxingcpp
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image

from apps.lists import fonts as list_fonts_module
from apps.lists.fonts import CJK_CID, cjk_candidates, cjk_font_name
from apps.lists.models import ShoppingList
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
from tests.lists.conftest import PERIOD
from tests.lists.test_list_rebate_birthday import certificates  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("before_period")


# --- reading a reportlab PDF back ---------------------------------------------------------


def pdf_objects(content: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """{number: (dictionary, decoded stream or None)}."""
    objects = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", content, re.S):
        body = match.group(2)
        head, _, rest = body.partition(b"stream")
        stream = None
        if rest:
            data = rest.split(b"endstream")[0].strip(b"\r\n")
            if b"/ASCII85Decode" in head:
                data = base64.a85decode(data.strip()[:-2] if data.strip().endswith(b"~>") else data)
            if b"/FlateDecode" in head:
                data = zlib.decompress(data)
            stream = data
        objects[int(match.group(1))] = (head, stream)
    return objects


def to_unicode_map(cmap: bytes) -> dict[int, str]:
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(rb"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(start + offset)
    return table


def pdf_string(raw: bytes) -> bytes:
    """A PDF literal string's bytes (its escapes undone)."""
    out, i = bytearray(), 0
    while i < len(raw):
        char = raw[i : i + 1]
        if char == b"\\":
            following = raw[i + 1 : i + 4]
            octal = re.match(rb"[0-7]{1,3}", following)
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            escapes = {b"n": 10, b"r": 13, b"t": 9, b"b": 8, b"f": 12}
            out.append(escapes.get(raw[i + 1 : i + 2], raw[i + 1]))
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)


def pdf_unicode_text(content: bytes) -> str:
    """The text of every page, each string decoded through its font."""
    objects = pdf_objects(content)
    decoders = {}
    for name, number in re.findall(rb"/([\w+\-]+) (\d+) 0 R", content):
        head = objects.get(int(number), (b"", None))[0]
        if b"/Font" not in head:
            continue
        unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if unicode_ref:
            table = to_unicode_map(objects[int(unicode_ref.group(1))][1])
            decoders[name] = lambda data, t=table: "".join(t.get(b, "\ufffd") for b in data)
        elif b"UCS2" in head:  # a CID font with a Unicode encoding: UTF-16 code units
            decoders[name] = lambda data: data.decode("utf-16-be")
        else:
            decoders[name] = lambda data: data.decode("latin-1")
    text = []
    for head, stream in objects.values():
        if stream is None or b"/Subtype /Image" in head or b" Tf" not in stream:
            continue
        decode = None
        token = rb"/([\w+\-]+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj|<([0-9A-Fa-f]*)>\s*Tj"
        for match in re.finditer(token, stream, re.S):
            if match.group(1):
                decode = decoders[match.group(1)]
            elif match.group(3) is not None:
                text.append(decode(bytes.fromhex(match.group(3).decode())))
            else:
                text.append(decode(pdf_string(match.group(2))))
    return "\n".join(text)


def pdf_base_fonts(content: bytes) -> set[str]:
    return {name.decode() for name in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", content)}


def pdf_barcodes(content: bytes) -> list[str]:
    """The Code128 values of the PDF's images, decoded like the list page's PNG."""
    values = []
    for head, stream in pdf_objects(content).values():
        if b"/Subtype /Image" not in head:
            continue
        width = int(re.search(rb"/Width (\d+)", head).group(1))
        height = int(re.search(rb"/Height (\d+)", head).group(1))
        mode = "RGB" if b"/DeviceRGB" in head else "L"
        image = Image.frombytes(mode, (width, height), stream)
        values += [r.text for r in zxingcpp.read_barcodes(image)]
    return values


# --- the lists ------------------------------------------------------------------------------


@pytest.fixture
def chinese(chain, certificates):  # noqa: F811
    best = chain["members"]["best"]
    best.language = "zh-hans"
    best.save(update_fields=["language"])
    lists_generate_for_range(period_start=PERIOD, lo=0, hi=10**12, rules=ListRules())
    lists_print_offers(period_start=PERIOD)
    return ShoppingList.objects.get(member=best)


def test_a_chinese_members_pdf_is_in_chinese_in_a_cjk_font(client, marketing_user, chinese):
    client.force_login(marketing_user)  # an English-speaking user asks for it
    content = client.get(reverse("lists:pdf", args=[chinese.barcode])).content
    if dump := os.environ.get("LIST_PDF_DUMP"):  # to look at it: pdftoppm -png -r 80 …
        Path(dump).write_bytes(content)
    text = pdf_unicode_text(content)
    name = chinese.member.display_name
    assert f"{name}，您的购物清单" in text
    # Headings, the certificates, and dates in Chinese (the list runs 3月2日 to 3月15日).
    for heading in ("您的优惠", "该补货了", "您的奖励", "您的返利礼券"):
        assert heading in text, heading
    assert "3月2日" in text and "2026年3月15日" in text
    assert "请在 2026年3月31日 前使用。" in text
    assert "Your shopping list" not in text and "Time to stock up" not in text
    assert " Mar " not in text
    # Item names are data: as entered.
    assert "Red Ketchup 20oz" in text
    # The CJK font: embedded TrueType when the machine has one (CI installs it), else the
    # named CID font; the text is drawn in it, not in Helvetica.
    font = cjk_font_name(tuple(cjk_candidates()))
    bases = pdf_base_fonts(content)
    if font == CJK_CID:
        assert CJK_CID in bases
    else:
        assert b"/FontFile2" in content
        assert any(base.split("+")[-1].startswith("WenQuanYi") or "+" in base for base in bases)
    assert "Helvetica-Bold" not in bases
    # The list's barcode (and the certificates') still decode from the PDF's images.
    codes = pdf_barcodes(content)
    assert chinese.barcode in codes
    assert "970000000001111111" in codes


def test_without_a_truetype_cjk_font_the_pdf_names_stsong(
    client, marketing_user, chinese, monkeypatch
):
    monkeypatch.setattr(list_fonts_module, "cjk_candidates", lambda: [])
    client.force_login(marketing_user)
    content = client.get(reverse("lists:pdf", args=[chinese.barcode])).content
    assert CJK_CID in pdf_base_fonts(content)
    assert "您的购物清单" in pdf_unicode_text(content)


def test_an_english_members_pdf_stays_in_helvetica(client, marketing_user, chain):
    lists_generate_for_range(period_start=PERIOD, lo=0, hi=10**12, rules=ListRules())
    lists_print_offers(period_start=PERIOD)
    shopping_list = ShoppingList.objects.get(member__card_number="100000000005")
    client.force_login(marketing_user)
    # Whoever asks: a Chinese-speaking user gets the English member's list in English.
    marketing_user.language = "zh-hans"
    marketing_user.save(update_fields=["language"])
    content = client.get(reverse("lists:pdf", args=[shopping_list.barcode])).content
    # (ZapfDingbats: reportlab's own fallback for the ☐ Helvetica lacks, as before.)
    assert pdf_base_fonts(content) == {
        "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "ZapfDingbats",
    }  # fmt: skip
    text = pdf_unicode_text(content)
    assert "Your shopping list, " in text and "Time to stock up" in text
    assert "valid Mar 02 to Mar 15, 2026" in text and "until Mar 15" in text
    assert shopping_list.barcode in pdf_barcodes(content)


def test_the_printed_list_is_in_the_members_language_the_page_in_the_users(
    client, marketing_user, chinese
):
    client.force_login(marketing_user)
    page = client.get(chinese.get_absolute_url()).content.decode()
    navbar, _, rest = page.partition('<article class="shopping-list')
    article = rest.split("</article>")[0]
    # The staff user's English around it.
    assert "Sign out" in navbar and "← Lists" in navbar
    # The member's Chinese in it.
    assert "您的购物清单" in article and "您的返利礼券" in article and "该补货了" in article
    assert "3月2日" in article and "2026年3月15日" in article and "2026年3月31日" in article
    assert "Your shopping list" not in article and "Use it by" not in article
    assert "Red Ketchup 20oz" in article  # data, as entered
    # A Chinese-speaking user: the page around it in Chinese, an English member's list not.
    marketing_user.language = "zh-hans"
    marketing_user.save(update_fields=["language"])
    chinese.member.language = "en"
    chinese.member.save(update_fields=["language"])
    page = client.get(chinese.get_absolute_url()).content.decode()
    navbar, _, rest = page.partition('<article class="shopping-list')
    assert "退出登录" in navbar and "Sign out" not in navbar
    assert "Your shopping list" in rest and "您的购物清单" not in rest


def test_the_member_page_shows_the_list_language(client, marketing_user, chinese, monkeypatch):
    # The list's period has begun: the member page shows it as the current list.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: PERIOD)
    client.force_login(marketing_user)
    url = reverse("members:detail", args=[chinese.member.card_number])
    page = client.get(url).content.decode()
    assert re.search(r"List language</dt><dd[^>]*>简体中文</dd>", page)
    assert "Mar 2 – Mar 15, 2026" in page  # the list's section: the staff user's language
    marketing_user.language = "zh-hans"
    marketing_user.save(update_fields=["language"])
    page = client.get(url).content.decode()
    assert re.search(r"清单语言</dt><dd[^>]*>简体中文</dd>", page)
    assert "3月2日 – 2026年3月15日" in page and "Mar 15" not in page


def test_the_admin_edits_the_members_language(client, admin_user_, chain):
    member = chain["members"]["best"]
    client.force_login(admin_user_)
    url = reverse("admin:members_member_change", args=[member.pk])
    form = client.get(url).content.decode()
    assert 'name="language"' in form and 'value="zh-hans"' in form


def test_the_export_commands_words_for_people_follow_the_language(chain, tmp_path, capsys):
    """What export_lists says to the operator is translated; the CSV (read by the mail
    house's machines) keeps its English columns."""
    from apps.members.consent import consent_set
    from apps.members.models import ConsentSource

    lists_generate_for_range(period_start=PERIOD, lo=0, hi=10**12, rules=ListRules())
    consent_set(chain["members"]["best"], "list", False, source=ConsentSource.STAFF)
    path = tmp_path / "lists.csv"
    with translation.override("zh-hans"):
        call_command("export_lists", "--period-start", PERIOD.isoformat(), "--output", str(path))
    said = capsys.readouterr().err
    assert "1 份清单未导出：会员在清单生成后撤回了接收清单的同意。" in said
    assert path.read_text().startswith("card_number,list_barcode,")


def test_the_lines_a_list_writes_itself_are_in_its_members_language(chinese, chain):
    """The reward and an offer's heading are composed by the list, not entered: they are
    written in the member's language when the list is made (apps/lists/wording.py)."""
    mine = {item.kind: item for item in chinese.items.all()}
    assert re.fullmatch(r"感谢惠顾：购物立减 \$\d+", mine["reward"].description)
    assert re.fullmatch(r"共 \d+ 张 \$5 优惠券，每次到店使用一张。", mine["reward"].body)
    assert mine["offer"].description.startswith("Ketchup：")  # the category's name is data
    # An English member of the same run: $200 of spend, 5 % in $5 coupons.
    english = ShoppingList.objects.get(member=chain["members"]["exactly_200"])
    reward = english.items.get(kind="reward")
    assert reward.description == "Thank you: $10 off your shopping"
    assert reward.body == "In 2 coupons of $5, one a visit."
