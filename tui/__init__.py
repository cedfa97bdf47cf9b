"""The Textual application: screens and widgets over `core`'s runner."""
