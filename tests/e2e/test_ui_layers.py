"""The UI never holds the Stripe key: no file under src/ui/ opens the vault or the sealed
key, save the unlock dialog (it takes the passphrase). Jobs open the key on their worker
(jobs_open_key) and wipe it when done; Setup saves through app_setup_save and checks a
saved key by its masked hint.

vault_secret_free is allowed: it is the project's wipe for any secret in guarded memory
(a PIN or passphrase claimed from the environment), not a way into the vault."""
import glob
import os
import re
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ALLOWED = {"unlock.c"}
VAULT_USE = re.compile(r"\bvault_(?!secret_free\b)[a-z_]+\s*\(|\bsetup_open_key\b|->vault\b|"
                       r"\bstruct vault\b")


def code_lines(path):
    """(line number, text) of a C file with its comments blanked."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return enumerate(text.split("\n"), 1)


class UiHoldsNoKey(unittest.TestCase):
    def test_no_ui_file_but_the_unlock_dialog_touches_the_vault(self):
        found = []
        files = sorted(glob.glob(os.path.join(ROOT, "src", "ui", "*.c")))
        self.assertTrue(files)
        for path in files:
            if os.path.basename(path) in ALLOWED:
                continue
            for n, line in code_lines(path):
                if VAULT_USE.search(line):
                    found.append(f"src/ui/{os.path.basename(path)}:{n}: {line.strip()}")
        self.assertEqual(found, [], "the UI opens the vault or the key itself:\n" +
                         "\n".join(found))

    def test_the_check_sees_a_key_opened_in_the_ui(self):
        line = "\tif (setup_open_key(ui->app->db, ui->app->vault, &key, &err) != PD_OK)"
        self.assertTrue(VAULT_USE.search(line))
        self.assertFalse(VAULT_USE.search("\tvault_secret_free(&pin);"))


if __name__ == "__main__":
    unittest.main()
