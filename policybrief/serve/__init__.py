"""The live preview server (``build.py serve``): web edition, PDF pages and slides in one browser page.

``server`` holds the HTTP routes, ``worker`` the one warm build thread and
what it made, ``office`` the LibreOffice kept running for slide images and
``page`` the preview page; ``assets/`` its script and stylesheet.
"""
