"""What every view with a form needs."""


def posted(request):
    """The data of a POST, else None (the form is shown new). Not `request.POST or None`: a
    POST with no fields is empty, hence false, and would be shown as a new form instead of
    refused with the reasons."""
    return request.POST if request.method == "POST" else None
