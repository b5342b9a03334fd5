print("entra-web")
