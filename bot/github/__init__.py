"""The GitHub side of modelgate: the one REST adapter (client), events, and the pull-request evaluation."""
