def execute(context):
    return None
