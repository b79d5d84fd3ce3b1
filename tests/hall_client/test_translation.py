"""Qt's own words reach people in Chinese: dialog buttons and context menus."""
from __future__ import annotations

import re

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox

from hall_client.translation import install_chinese

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def shown(text: str) -> str:
    """The words a person reads: without the mnemonic ``(&U)`` and the shortcut after a tab."""
    return re.sub(r"\(&\w\)|&", "", text.split("\t")[0])


def test_the_client_application_loads_qtbase_zh_cn(qapp):
    assert "qtbase" in install_chinese(qapp)
    assert QLocale().language() == QLocale.Language.Chinese


def test_a_message_box_says_ok_and_cancel_in_chinese(qapp, qtbot):
    box = QMessageBox(QMessageBox.Icon.Question, "确认", "确定要作废这张收据吗？",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QMessageBox.StandardButton.Ok).text() == "确定"
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "取消"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No
                               | QDialogButtonBox.StandardButton.Close | QDialogButtonBox.StandardButton.Save)
    qtbot.addWidget(buttons)
    for b in buttons.buttons():
        assert not LATIN_WORD.search(shown(b.text())), b.text()


def test_a_line_edits_context_menu_is_chinese(qapp, qtbot):
    edit = QLineEdit("13800138000")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    texts = [shown(a.text()) for a in menu.actions() if not a.isSeparator()]
    assert texts and "复制" in " ".join(texts) and "粘贴" in " ".join(texts)
    assert not [t for t in texts if LATIN_WORD.search(t)], texts
    menu.deleteLater()


def test_qts_own_file_dialog_has_no_english_label(qapp, qtbot):
    """The widget-based dialog Linux PCs get (Windows shows its own, in the OS language);
    Qt's catalog leaves two labels in English: ``translation.GAPS`` fills them."""
    from PySide6.QtWidgets import QAbstractButton, QFileDialog, QLabel
    for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
        d = QFileDialog(None, "保存导出文件")
        d.setOption(QFileDialog.Option.DontUseNativeDialog)
        d.setAcceptMode(mode)
        qtbot.addWidget(d)
        d.show()
        texts = [shown(w.text()) for w in d.findChildren(QLabel)] + [
            shown(w.text()) for w in d.findChildren(QAbstractButton) if w.isVisible()]
        texts += [w.toolTip() for w in d.findChildren(QAbstractButton)]
        assert "查找范围：" in texts and "文件类型：" in texts
        assert not [t for t in texts if LATIN_WORD.search(t)], texts
        d.close()
