"""Certificates in a template are requested from moto's ACM, so HTTPS listeners find them."""

from __future__ import annotations

from typing import Any

from cfncompiler.sandbox.patches.unmodelled_types_get_placeholders import STAND_INS, PlaceholderResource


class RequestedCertificate(PlaceholderResource):
    """An AWS::CertificateManager::Certificate that exists in moto's ACM, so listeners can use it."""

    def __init__(self, resource_type: str, name: str, properties: dict[str, Any], account_id: str, region: str):
        from moto.acm.models import acm_backends

        super().__init__(resource_type, name, properties, account_id, region)
        acm: Any = acm_backends[account_id][region]
        self.arn = acm.request_certificate(
            domain_name=properties["DomainName"],
            idempotency_token=None,
            subject_alt_names=properties.get("SubjectAlternativeNames", []),
            tags=properties.get("Tags", []),
        )


def certificates_are_issued_in_acm() -> None:
    """Gap: moto's ELBv2 refuses an HTTPS listener whose certificate is not in moto's ACM.

    ACM certificates are not modelled by moto's CloudFormation, so the
    platform layer's listener fails with CertificateNotFound. The stand-in for
    AWS::CertificateManager::Certificate requests the certificate from moto's
    ACM, as CloudFormation does from ACM, and its Ref is that ARN.
    """
    STAND_INS["AWS::CertificateManager::Certificate"] = RequestedCertificate
