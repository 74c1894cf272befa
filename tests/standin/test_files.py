"""Documents, photos, albums, downloads, copies and forwards."""

from __future__ import annotations

import pytest
from telegram import Bot, InputMediaDocument, InputMediaPhoto
from telegram.error import BadRequest

from bot.standin import TINY_PNG, StandIn, TgChat, TgUser


async def test_send_document_and_download_it(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    sent = await bot.send_document(
        alice.id,
        b"date,count\n2024-05-01,3\n",
        filename="hisobot.csv",
        caption="<b>May</b> report",
        parse_mode="HTML",
    )
    assert sent.document is not None and sent.document.file_name == "hisobot.csv"
    assert sent.document.mime_type == "text/csv" and sent.caption == "May report"

    msg = await tg.next_message(alice.id)
    assert msg.document is not None
    assert msg.document["content"] == b"date,count\n2024-05-01,3\n"
    assert msg.document["file_name"] == "hisobot.csv" and msg.document["size"] == 24
    assert msg.caption == "May report" and msg.html == "<b>May</b> report" and msg.text is None

    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None and file.file_path.startswith(tg.base_file_url)
    assert bytes(await file.download_as_bytearray()) == b"date,count\n2024-05-01,3\n"
    # Sending it again by file_id reuses the file.
    again = await bot.send_document(alice.id, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id


async def test_document_refusals(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    with pytest.raises(BadRequest, match=r"^File must be non-empty$"):
        await bot.send_document(alice.id, b"", filename="empty.txt")
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_document(alice.id, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"^Wrong file_id or the file is temporarily"):
        await bot.get_file("no-such-file-id")


async def test_send_photo_must_be_an_image(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    sent = await bot.send_photo(alice.id, TINY_PNG, caption="xarita")
    assert len(sent.photo) == 3
    assert len({p.file_id for p in sent.photo}) == len({p.file_unique_id for p in sent.photo}) == 3
    msg = await tg.next_message(alice.id)
    assert msg.photo == TINY_PNG and msg.caption == "xarita"
    with pytest.raises(BadRequest, match=r"^Image_process_failed$"):
        await bot.send_photo(alice.id, b"definitely not an image")
    document = await bot.send_document(alice.id, b"abc", filename="a.txt")
    assert document.document is not None
    with pytest.raises(BadRequest, match=r"^Type of file mismatch$"):
        await bot.send_photo(alice.id, document.document.file_id)


async def test_edit_caption(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    sent = await bot.send_photo(alice.id, TINY_PNG, caption="old")
    msg = await tg.next_message(alice.id)
    await bot.edit_message_caption(
        alice.id, sent.message_id, caption="<i>new</i>", parse_mode="HTML"
    )
    assert msg.caption == "new" and msg.edits == 1
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_caption(
            alice.id, sent.message_id, caption="<i>new</i>", parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match=r"^Media_caption_too_long$"):
        await bot.edit_message_caption(alice.id, sent.message_id, caption="c" * 1025)


async def test_media_group_of_user_photos(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    first = await tg.send_photo(alice)
    second = await tg.send_photo(alice, caption="ikkinchi")
    file_ids = [u["message"]["photo"][-1]["file_id"] for u in (first, second)]
    assert file_ids[0] != file_ids[1]
    album = await bot.send_media_group(
        alice.id,
        [
            InputMediaPhoto(file_ids[0], caption="<b>1</b>", parse_mode="HTML"),
            InputMediaPhoto(file_ids[1]),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "1"
    sent = tg.messages(alice.id)
    assert [m.media_group_id for m in sent] == [album[0].media_group_id] * 2
    assert all(m.photo == TINY_PNG for m in sent)


async def test_media_group_rules(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    photo = (await tg.send_photo(alice))["message"]["photo"][-1]["file_id"]
    doc = (await tg.send_document(alice, "a.pdf"))["message"]["document"]["file_id"]
    with pytest.raises(BadRequest, match="Can't use the media of the specified type in the album"):
        await bot.send_media_group(alice.id, [InputMediaPhoto(photo), InputMediaDocument(doc)])
    with pytest.raises(BadRequest, match="Too many messages to send as an album"):
        await bot.send_media_group(alice.id, [InputMediaPhoto(photo)] * 11)
    uploaded = await bot.send_media_group(
        alice.id, [InputMediaDocument(b"one", filename="1.txt"), InputMediaDocument(doc)]
    )
    assert [m.document.file_name for m in uploaded if m.document] == ["1.txt", "a.pdf"]


async def test_user_files_can_be_downloaded(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    update = await tg.send_document(alice, "dalolatnoma.pdf", content=b"%PDF-1.7 x", caption="Akt")
    message = (await bot.get_updates())[0].message
    assert message is not None and message.document is not None and message.caption == "Akt"
    assert message.document.mime_type == "application/pdf"
    file = await message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.7 x"
    assert tg.file_content(update["message"]["document"]["file_id"]) == b"%PDF-1.7 x"


async def test_location_and_sticker_updates(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    await tg.send_location(alice, 41.3111, 69.2797)
    await tg.send_sticker(alice)
    location, sticker = [u.message for u in await bot.get_updates()]
    assert location is not None and location.location is not None
    assert location.location.latitude == pytest.approx(41.3111)
    assert sticker is not None and sticker.sticker is not None and sticker.sticker.emoji == "👍"


async def test_copy_and_forward(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    group = TgChat(id=-100500, type="supergroup", title="Navbatchilar")
    tg.add_chat(group)
    await tg.send_location(alice, 41.3, 69.2)
    photo = await tg.send_photo(alice, caption="joy")
    copied = await bot.copy_message(
        group.id, alice.id, photo["message"]["message_id"], caption="Joydan"
    )
    copy_msg = tg.messages(group.id)[-1]
    assert copy_msg.message_id == copied.message_id and copy_msg.caption == "Joydan"
    assert copy_msg.photo == TINY_PNG
    forwarded = await bot.forward_message(group.id, alice.id, 1)
    assert forwarded.location is not None and forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user.id == alice.id  # type: ignore[attr-defined]
    with pytest.raises(BadRequest, match=r"^Message to copy not found$"):
        await bot.copy_message(group.id, alice.id, 999)
    with pytest.raises(BadRequest, match=r"^Message to forward not found$"):
        await bot.forward_message(group.id, alice.id, 999)
