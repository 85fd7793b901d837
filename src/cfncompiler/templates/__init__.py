"""The templates stage: render each layer's Template, check CloudFormation's limits, write them."""
