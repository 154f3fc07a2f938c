from market40 import create_app

app = create_app()
