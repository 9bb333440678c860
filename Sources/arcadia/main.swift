import ArcadiaCLI
print("hi")
