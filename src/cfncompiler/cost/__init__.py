"""What the compiled templates cost a month: the price snapshot, the per-resource pricing of a
template, and the comparison of two sets of templates (`cfncompiler cost`, the diff's cost line).

Reads templates as `synth` wrote them (or as CloudFormation holds them) and the spec's usage
assumptions; never the rest of the spec, so what is priced is exactly what deploy sends.
"""
